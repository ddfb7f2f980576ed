using System.Net;
using System.Net.Sockets;

namespace Pact.Daemon.Webhooks;

/// <summary>What an IP address is, as far as sending webhooks to it goes.</summary>
public enum AddressKind
{
    /// <summary>Globally routable.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>RFC 1918, CGNAT 100.64/10, benchmarking 198.18/15, IPv6 unique-local fc00::/7 and site-local fec0::/10.</summary>
    Private,

    /// <summary>169.254.0.0/16, fe80::/10.</summary>
    LinkLocal,

    /// <summary>Cloud instance-metadata and host-agent endpoints (169.254.169.254, fd00:ec2::254, 100.100.100.200, …).</summary>
    Metadata,

    /// <summary>0.0.0.0/8 and :: ("this host": on Linux a connection to it reaches loopback).</summary>
    Unspecified,

    /// <summary>224.0.0.0/4, ff00::/8.</summary>
    Multicast,

    /// <summary>Documentation, reserved and IETF protocol ranges that no legitimate receiver uses.</summary>
    Reserved,
}

/// <summary>
/// Classifies addresses for the webhook SSRF check. IPv6 forms that carry an IPv4 address (mapped
/// ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4
/// address, so ::ffff:127.0.0.1 is loopback and 64:ff9b::a9fe:a9fe is the metadata address.
/// </summary>
public static class AddressClassifier
{
    private static readonly IPAddress[] MetadataV4 =
    [
        IPAddress.Parse("169.254.169.254"), // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean instance metadata
        IPAddress.Parse("169.254.170.2"),   // AWS ECS task metadata and credentials
        IPAddress.Parse("169.254.169.123"), // AWS time sync (link-local too; named for clarity)
        IPAddress.Parse("100.100.100.200"), // Alibaba Cloud metadata, inside the CGNAT range
        IPAddress.Parse("168.63.129.16"),   // Azure wireserver, a public address that only hosts can reach
        IPAddress.Parse("192.0.0.192"),     // Oracle Cloud legacy metadata
    ];

    private static readonly IPAddress[] MetadataV6 =
    [
        IPAddress.Parse("fd00:ec2::254"), // AWS instance metadata over IPv6, inside fc00::/7
        IPAddress.Parse("fd00:ec2::23"),  // AWS DNS resolver
    ];

    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork) return ClassifyV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return AddressKind.Reserved;

        var b = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6) return ClassifyV4(b.AsSpan(12, 4));
        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0)
            return b[15] switch { 0 => AddressKind.Unspecified, 1 => AddressKind.Loopback, _ => AddressKind.Reserved };
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return ClassifyV4(b.AsSpan(12, 4)); // IPv4-compatible ::a.b.c.d
        // NAT64 well-known prefix 64:ff9b::/96: a translator forwards it to the embedded IPv4 address.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return ClassifyV4(b.AsSpan(12, 4));
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
            return AddressKind.Private; // 64:ff9b:1::/48, local-use NAT64
        if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(b.AsSpan(2, 4)); // 6to4 2002:AABB:CCDD::/48

        foreach (var metadata in MetadataV6)
            if (metadata.Equals(address)) return AddressKind.Metadata;
        if (b[0] == 0xff) return AddressKind.Multicast;
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressKind.LinkLocal; // fe80::/10
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressKind.Private;   // fec0::/10, deprecated site-local
        if ((b[0] & 0xfe) == 0xfc) return AddressKind.Private;                   // fc00::/7
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressKind.Reserved; // 2001:db8::/32 documentation
        if (b[0] == 0x01 && b[1] == 0x00 && b.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0) return AddressKind.Reserved; // 100::/64 discard
        return AddressKind.Public;
    }

    private static AddressKind ClassifyV4(ReadOnlySpan<byte> b)
    {
        var address = new IPAddress(b);
        foreach (var metadata in MetadataV4)
            if (metadata.Equals(address)) return AddressKind.Metadata;
        return b[0] switch
        {
            0 => AddressKind.Unspecified,
            10 => AddressKind.Private,
            127 => AddressKind.Loopback,
            100 when (b[1] & 0xc0) == 64 => AddressKind.Private,            // 100.64.0.0/10 carrier-grade NAT
            169 when b[1] == 254 => AddressKind.LinkLocal,
            172 when (b[1] & 0xf0) == 16 => AddressKind.Private,             // 172.16.0.0/12
            192 when b[1] == 168 => AddressKind.Private,
            192 when b[1] == 0 && b[2] == 0 => AddressKind.Reserved,         // 192.0.0.0/24 IETF protocol assignments
            192 when b[1] == 0 && b[2] == 2 => AddressKind.Reserved,         // TEST-NET-1
            198 when (b[1] & 0xfe) == 18 => AddressKind.Private,             // 198.18.0.0/15 benchmarking
            198 when b[1] == 51 && b[2] == 100 => AddressKind.Reserved,      // TEST-NET-2
            203 when b[1] == 0 && b[2] == 113 => AddressKind.Reserved,       // TEST-NET-3
            >= 224 and <= 239 => AddressKind.Multicast,
            >= 240 => AddressKind.Reserved,                                  // 240/4 and the broadcast address
            _ => AddressKind.Public,
        };
    }
}

/// <summary>
/// Which addresses a callback may reach: link-local, metadata, unspecified, multicast and reserved never;
/// loopback and private only when allowed (§10).
/// </summary>
public sealed class AddressPolicy(Func<bool> allowLoopback, Func<bool> allowPrivate)
{
    public AddressPolicy(bool allowLoopback, bool allowPrivate)
        : this(() => allowLoopback, () => allowPrivate)
    {
    }

    public bool AllowsLoopback => allowLoopback();

    public bool AllowsPrivate => allowPrivate();

    /// <summary>Null when a callback may connect to this address; otherwise why not.</summary>
    public string? Refusal(IPAddress address) => AddressClassifier.Classify(address) switch
    {
        AddressKind.Public => null,
        AddressKind.Loopback => allowLoopback() ? null : $"{address} is a loopback address and loopback callbacks are not allowed on this daemon",
        AddressKind.Private => allowPrivate() ? null : $"{address} is a private address and private callbacks are not allowed on this daemon",
        AddressKind.LinkLocal => $"{address} is a link-local address, never allowed",
        AddressKind.Metadata => $"{address} is a cloud metadata address, never allowed",
        AddressKind.Unspecified => $"{address} is an unspecified address, never allowed",
        AddressKind.Multicast => $"{address} is a multicast address, never allowed",
        _ => $"{address} is a reserved address, never allowed",
    };
}
