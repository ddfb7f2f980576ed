using System.Net.Http.Headers;
using Pact.Core.Contracts.Responses;

namespace Pact.Client;

public sealed partial class PactClient
{
    /// <summary>
    /// <c>GET /v1/log/checkpoint</c> (public) as <c>text/plain</c>: the latest signed note exactly as served, for
    /// <see cref="Pact.Core.TransparencyLog.LogCheckpoint.TryOpen"/> with the daemon's key.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<string> GetCheckpointNoteAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/log/checkpoint");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw PactApiException.FromResponse((int)response.StatusCode, response.ReasonPhrase, text);
        return text;
    }

    /// <summary><c>GET /v1/log/proof/inclusion</c> (public): the proof that the event with global <paramref name="seq"/> is in the tree of <paramref name="treeSize"/> events.</summary>
    /// <param name="seq">The event's global seq.</param>
    /// <param name="treeSize">A checkpointed tree size, at least <paramref name="seq"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<InclusionProof> GetInclusionProofAsync(long seq, long treeSize, CancellationToken cancellationToken = default)
    {
        var path = WithQuery("v1/log/proof/inclusion", ("seq", Num(seq)), ("treeSize", Num(treeSize)));
        return Read<InclusionProof>(await GetAsync(path, Access.Public, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/log/proof/consistency</c> (public): the proof that the tree of <paramref name="from"/> events is a prefix of that of <paramref name="to"/>.</summary>
    /// <param name="from">The older checkpointed size (at least 1).</param>
    /// <param name="to">The newer checkpointed size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<ConsistencyProof> GetConsistencyProofAsync(long from, long to, CancellationToken cancellationToken = default)
    {
        var path = WithQuery("v1/log/proof/consistency", ("from", Num(from)), ("to", Num(to)));
        return Read<ConsistencyProof>(await GetAsync(path, Access.Public, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <c>GET /v1/sessions/{sessionId}/export</c>: the session's export bundle (pact-export/1), to keep (written with
    /// <see cref="Pact.Core.Json.PactJson.Options"/>) or to check with <see cref="Verification.ExportVerifier"/>.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<ExportBundle> ExportSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Read<ExportBundle>(await GetAsync($"v1/sessions/{Segment(sessionId)}/export", Access.Reader, cancellationToken).ConfigureAwait(false));
}
