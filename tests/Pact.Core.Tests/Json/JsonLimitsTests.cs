using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Tests.Json;

public class JsonLimitsTests
{
    [Fact]
    public void A_request_may_nest_RequestDepth_levels_and_not_one_more()
    {
        StrictJson.Parse(Nested(JsonLimits.RequestDepth), JsonLimits.RequestDepth).Should().NotBeNull();
        var deeper = () => StrictJson.Parse(Nested(JsonLimits.RequestDepth + 1), JsonLimits.RequestDepth);
        deeper.Should().Throw<InvalidJsonException>().WithMessage("*depth*");
    }

    [Fact]
    public void What_the_daemon_serves_may_wrap_the_deepest_request_and_still_be_written_and_read()
    {
        var wrapped = StrictJson.Parse("{\"events\":[{\"data\":{\"metadata\":" + Nested(JsonLimits.RequestDepth) + "}}]}")!;
        var text = wrapped.ToJsonString(PactJson.Options);
        StrictJson.Parse(text)!.ToJsonString(PactJson.Options).Should().Be(text);
        Jcs.CanonicalString(wrapped).Should().Be(text);
    }

    /// <summary>Objects nesting <paramref name="depth"/> levels: {"d":{"d":…{}}}.</summary>
    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"d\":", depth - 1)) + "{}" + new string('}', depth - 1);
}
