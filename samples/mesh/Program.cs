using Pact.Samples.Mesh;

// Usage: dotnet run --project samples/mesh -- [--url http://127.0.0.1:7700]
var url = args.SkipWhile(a => a != "--url").Skip(1).FirstOrDefault() ?? Environment.GetEnvironmentVariable("PACT_URL") ?? "http://127.0.0.1:7700";
var outcome = await MeshSample.RunAsync(new Uri(url), Console.Out);
return outcome.AccessCheckCode == "DISPOSED" ? 0 : 1;
