using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.TransparencyLog;
using Pact.Daemon.Hosting;
using Pact.Daemon.TransparencyLog;
using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>The verifiable log (§9): signed checkpoints and Merkle proofs, all public.</summary>
public sealed class LogController(IPactStore store, LogCheckpointer checkpointer, DaemonIdentity identity) : PactControllerBase
{
    /// <summary>
    /// The latest signed checkpoint: a C2SP signed note (text/plain), or with <c>Accept: application/json</c>
    /// { origin, treeSize, rootHash, note }. Check the note with the daemon's public key; take the tree size
    /// and root from the note itself. 404 while the log is empty.
    /// </summary>
    [HttpGet("/v1/log/checkpoint")]
    [Produces("text/plain", "application/json")]
    [ProducesResponseType(typeof(LogCheckpointInfo), StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType(typeof(string), StatusCodes.Status200OK, "text/plain")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    public async Task<IResult> Checkpoint(CancellationToken ct)
    {
        var latest = await checkpointer.LatestAsync(ct);
        // Before the first timer tick of a fresh daemon, sign rather than answer "none".
        if (latest is null && store.HeadSeq > 0) latest = await checkpointer.CheckpointAsync(ct);
        if (latest is null) return Problem(PactError.NotFound("A signed checkpoint (the log is still empty)"));
        var signed = Opened(latest);
        if (!WantsJson(Request)) return Results.Text(latest.Note, "text/plain; charset=utf-8", System.Text.Encoding.UTF8, 200);
        return Json(200, new LogCheckpointInfo(identity.Origin, signed.TreeSize, Hex.Encode(signed.RootHash), latest.Note));
    }

    /// <summary>
    /// The inclusion proof of the event with global seq <c>seq</c> in the tree of <c>treeSize</c> events
    /// (RFC 9162 §2.1.3, nearest sibling first). <c>treeSize</c> must be a checkpointed size.
    /// </summary>
    [HttpGet("/v1/log/proof/inclusion")]
    [ProducesResponseType(typeof(InclusionProof), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<IResult> Inclusion([FromQuery] string? seq, [FromQuery] string? treeSize, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var n = ReadSize(seq, "seq", errors);
        var size = ReadSize(treeSize, "treeSize", errors);
        if (errors.Count == 0 && n > size) errors.Add(new FieldError("/seq", PactCodes.InvalidPayload, $"'seq' must be at most 'treeSize' ({size})."));
        if (errors.Count > 0) return Problem(PactError.FromFieldErrors("Invalid query", errors));
        if (await store.GetLogCheckpointAsync(size, ct) is not { } checkpoint) return Problem(NotCheckpointed(size));
        var proof = await store.InclusionProofAsync(n - 1, size, ct);
        // The stored nodes are served only once they prove the (hash-checked) event under the signed root.
        var leaf = await store.GetBySeqAsync(n, ct) ?? throw new TranscriptIntegrityException($"The log has no event at seq {n}.");
        if (!MerkleVerifier.VerifyInclusion(n - 1, size, MerkleHash.LeafHash(Hex.Decode(leaf.Hash)), proof, Opened(checkpoint).RootHash))
            throw new TranscriptIntegrityException($"The stored Merkle tree does not prove event {n} under the signed root of tree size {size}.");
        return Json(200, new InclusionProof(n - 1, size, HexList(proof)));
    }

    /// <summary>
    /// The consistency proof from the tree of <c>from</c> events to that of <c>to</c> (RFC 9162 §2.1.4); empty when
    /// they are equal. Both must be checkpointed sizes.
    /// </summary>
    [HttpGet("/v1/log/proof/consistency")]
    [ProducesResponseType(typeof(ConsistencyProof), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public async Task<IResult> Consistency([FromQuery] string? from, [FromQuery] string? to, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var size1 = ReadSize(from, "from", errors);
        var size2 = ReadSize(to, "to", errors);
        if (errors.Count == 0 && size1 > size2) errors.Add(new FieldError("/from", PactCodes.InvalidPayload, $"'from' must be at most 'to' ({size2})."));
        if (errors.Count > 0) return Problem(PactError.FromFieldErrors("Invalid query", errors));
        var roots = new List<byte[]>(2);
        foreach (var size in new[] { size1, size2 })
        {
            if (await store.GetLogCheckpointAsync(size, ct) is not { } checkpoint) return Problem(NotCheckpointed(size));
            roots.Add(Opened(checkpoint).RootHash);
        }
        var proof = await store.ConsistencyProofAsync(size1, size2, ct);
        if (!MerkleVerifier.VerifyConsistency(size1, size2, roots[0], roots[1], proof))
            throw new TranscriptIntegrityException($"The stored Merkle tree does not prove the signed tree of size {size1} consistent with that of size {size2}.");
        return Json(200, new ConsistencyProof(size1, size2, HexList(proof)));
    }

    /// <summary>The checkpoint a stored note signs, opened with the daemon key; a note that does not open, or signs another size, is a damaged store.</summary>
    private LogCheckpoint Opened(SignedLogCheckpoint stored)
    {
        if (!LogCheckpoint.TryOpen(stored.Note, identity.Origin, identity.Key.PublicKey, out var signed, out var error))
            throw new TranscriptIntegrityException($"The stored log checkpoint of tree size {stored.TreeSize} does not open with the daemon key: {error}");
        if (signed.TreeSize != stored.TreeSize)
            throw new TranscriptIntegrityException($"The stored log checkpoint of tree size {stored.TreeSize} signs tree size {signed.TreeSize}.");
        return signed;
    }

    /// <summary>JSON when the client asks for it at least as much as for text; the note otherwise.</summary>
    private static bool WantsJson(HttpRequest request)
    {
        double json = 0, text = 0;
        foreach (var accept in request.GetTypedHeaders().Accept)
        {
            var q = accept.Quality ?? 1;
            var type = accept.MediaType.Value ?? "";
            if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase)) json = Math.Max(json, q);
            else if (type is "*/*" or "text/*" || type.Equals("text/plain", StringComparison.OrdinalIgnoreCase)) text = Math.Max(text, q);
        }
        return json > 0 && json >= text;
    }

    /// <summary>A tree size or seq in the query: decimal digits, at least 1.</summary>
    private static long ReadSize(string? text, string name, List<FieldError> errors)
    {
        if (text is not null && text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
            return value;
        errors.Add(new FieldError("/" + name, PactCodes.InvalidPayload, $"'{name}' is required: a whole number of at least 1."));
        return 0;
    }

    private static PactError NotCheckpointed(long size) =>
        new(PactCodes.NotFound, 404, "Not found", $"No signed checkpoint has tree size {size}; proofs are served for checkpointed sizes only.");

    private static List<string> HexList(IReadOnlyList<byte[]> hashes) => [.. hashes.Select(h => Hex.Encode(h))];
}
