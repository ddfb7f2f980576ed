using System.Text.Json.Nodes;
using Pact.Core.Events;

namespace Pact.Core.Mandates;

/// <summary>
/// The facts outside the transcript that the live path judged a counter's patched terms with (§13: §4.2 with the registry,
/// and the upstream compacts' state at the commit). <see cref="DecisionReplay"/> asks only when a first decision is the
/// counter rule acting as escalate while the counter passes every check the transcript can settle.
/// </summary>
public interface ICounterFacts
{
    /// <summary>
    /// Whether <paramref name="patchedTerms"/>, proposed by the policy's owner (party <paramref name="me"/>), failed the live
    /// check at <paramref name="decided"/>: true or false when this source knows, null when it cannot say — the escalate is
    /// then accepted and the source notes the decision as not checked.
    /// </summary>
    bool? Refused(TranscriptEvent decided, JsonObject patchedTerms, string me);
}
