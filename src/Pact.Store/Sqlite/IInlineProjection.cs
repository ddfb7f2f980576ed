namespace Pact.Store.Sqlite;

/// <summary>
/// A read model kept by the writer itself (Marten's inline projections are the model): registered once when the
/// store opens, run for each request's events inside the request's savepoint of the commit, so the read model and
/// the events commit together or not at all. A projection that throws rolls back its request alone.
/// </summary>
internal interface IInlineProjection
{
    /// <summary>Projects <see cref="AppendContext.Events"/> (never empty) through <paramref name="context"/>'s transaction.</summary>
    void Apply(AppendContext context);
}

/// <summary>Runs an engine-neutral projection (<see cref="Relational.IRelationalProjection"/>) in the SQLite writer.</summary>
internal sealed class NeutralProjection(Relational.IRelationalProjection projection) : IInlineProjection
{
    public void Apply(AppendContext context) => projection.Apply(context);
}
