using Pact.Samples;
using Pact.Samples.Mesh;

// Usage: dotnet run --project samples/mesh -- [--url http://127.0.0.1:7700]
return await SampleHost.RunAsync(args, SampleOptions.ParseUrlOnly,
    "dotnet run --project samples/mesh -- [--url http://127.0.0.1:7700]",
    daemon => daemon,
    async (daemon, stop) => (await MeshSample.RunAsync(daemon, Console.Out, stop)).AccessCheckCode == "DISPOSED" ? 0 : 1);
