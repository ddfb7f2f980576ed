using FluentAssertions;
using Pact.Core.Json;

namespace Pact.Core.Tests.Json;

public class JcsVectorTests
{
    public static TheoryData<string> Vectors() => new(Directory.GetFiles(TestData.PathOf("jcs/input"), "*.json").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Canonical_form_matches_the_rfc8785_reference_output(string name)
    {
        var input = StrictJson.Parse(TestData.Bytes($"jcs/input/{name}"));
        var expected = TestData.Bytes($"jcs/output/{name}");
        Jcs.Canonicalize(input).Should().Equal(expected);
    }
}
