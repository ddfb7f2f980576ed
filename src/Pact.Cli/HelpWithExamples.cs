using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Pact.Cli;

/// <summary>
/// The standard help, followed by the command's examples. Examples are kept apart from the description so that
/// a parent's list of subcommands stays one summary per line.
/// </summary>
internal sealed class HelpWithExamples(HelpAction inner, IReadOnlyDictionary<Command, string> examples) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var code = inner.Invoke(parseResult);
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var text))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(text);
            output.WriteLine();
        }
        return code;
    }
}
