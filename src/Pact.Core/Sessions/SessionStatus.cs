namespace Pact.Core.Sessions;

/// <summary>A session's status (§7): active ⇄ suspended; terminated is final.</summary>
public enum SessionStatus
{
    Active,
    Suspended,
    Terminated,
}

public static class SessionStatusNames
{
    public static string ToWire(this SessionStatus status) => status switch
    {
        SessionStatus.Active => "active",
        SessionStatus.Suspended => "suspended",
        SessionStatus.Terminated => "terminated",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParseSessionStatus(string? text, out SessionStatus status)
    {
        status = text switch
        {
            "suspended" => SessionStatus.Suspended,
            "terminated" => SessionStatus.Terminated,
            _ => SessionStatus.Active,
        };
        return text is "active" or "suspended" or "terminated";
    }
}
