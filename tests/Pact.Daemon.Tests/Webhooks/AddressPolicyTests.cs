using System.Net;
using Pact.Daemon.Webhooks;

namespace Pact.Daemon.Tests.Webhooks;

public class AddressPolicyTests
{
    [Theory]
    [InlineData("1.1.1.1", AddressKind.Public)]
    [InlineData("8.8.8.8", AddressKind.Public)]
    [InlineData("11.0.0.1", AddressKind.Public)]
    [InlineData("172.15.255.255", AddressKind.Public)]
    [InlineData("172.32.0.0", AddressKind.Public)]
    [InlineData("100.63.255.255", AddressKind.Public)]
    [InlineData("100.128.0.0", AddressKind.Public)]
    [InlineData("169.253.255.255", AddressKind.Public)]
    [InlineData("169.255.0.0", AddressKind.Public)]
    [InlineData("192.169.0.1", AddressKind.Public)]
    [InlineData("223.255.255.255", AddressKind.Public)]
    [InlineData("2606:4700:4700::1111", AddressKind.Public)]
    [InlineData("2001:4860:4860::8888", AddressKind.Public)]
    [InlineData("64:ff9b::808:808", AddressKind.Public)]
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("127.255.255.254", AddressKind.Loopback)]
    [InlineData("::1", AddressKind.Loopback)]
    [InlineData("::ffff:127.0.0.1", AddressKind.Loopback)]
    [InlineData("::ffff:7f00:2", AddressKind.Loopback)]
    [InlineData("::127.0.0.1", AddressKind.Loopback)]
    [InlineData("64:ff9b::7f00:1", AddressKind.Loopback)]
    [InlineData("2002:7f00:1::1", AddressKind.Loopback)]
    [InlineData("10.0.0.1", AddressKind.Private)]
    [InlineData("10.255.255.255", AddressKind.Private)]
    [InlineData("172.16.0.1", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("192.168.0.1", AddressKind.Private)]
    [InlineData("100.64.0.1", AddressKind.Private)]
    [InlineData("100.127.255.255", AddressKind.Private)]
    [InlineData("198.18.0.1", AddressKind.Private)]
    [InlineData("198.19.255.255", AddressKind.Private)]
    [InlineData("::ffff:10.0.0.1", AddressKind.Private)]
    [InlineData("::ffff:192.168.1.20", AddressKind.Private)]
    [InlineData("64:ff9b::a00:1", AddressKind.Private)]
    [InlineData("64:ff9b:1::a", AddressKind.Private)]
    [InlineData("2002:a00:1::", AddressKind.Private)]
    [InlineData("fc00::1", AddressKind.Private)]
    [InlineData("fd12:3456:789a::1", AddressKind.Private)]
    [InlineData("fec0::1", AddressKind.Private)]
    [InlineData("169.254.0.1", AddressKind.LinkLocal)]
    [InlineData("169.254.255.255", AddressKind.LinkLocal)]
    [InlineData("::ffff:169.254.1.1", AddressKind.LinkLocal)]
    [InlineData("fe80::1", AddressKind.LinkLocal)]
    [InlineData("febf:ffff::1", AddressKind.LinkLocal)]
    [InlineData("169.254.169.254", AddressKind.Metadata)]
    [InlineData("169.254.170.2", AddressKind.Metadata)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Metadata)]
    [InlineData("::ffff:a9fe:a9fe", AddressKind.Metadata)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressKind.Metadata)]
    [InlineData("2002:a9fe:a9fe::", AddressKind.Metadata)]
    [InlineData("fd00:ec2::254", AddressKind.Metadata)]
    [InlineData("100.100.100.200", AddressKind.Metadata)]
    [InlineData("168.63.129.16", AddressKind.Metadata)]
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("0.1.2.3", AddressKind.Unspecified)]
    [InlineData("::", AddressKind.Unspecified)]
    [InlineData("::ffff:0.0.0.0", AddressKind.Unspecified)]
    [InlineData("224.0.0.1", AddressKind.Multicast)]
    [InlineData("239.255.255.250", AddressKind.Multicast)]
    [InlineData("ff02::1", AddressKind.Multicast)]
    [InlineData("240.0.0.1", AddressKind.Reserved)]
    [InlineData("255.255.255.255", AddressKind.Reserved)]
    [InlineData("192.0.0.8", AddressKind.Reserved)]
    [InlineData("192.0.2.1", AddressKind.Reserved)]
    [InlineData("198.51.100.7", AddressKind.Reserved)]
    [InlineData("203.0.113.9", AddressKind.Reserved)]
    [InlineData("2001:db8::1", AddressKind.Reserved)]
    [InlineData("100::1", AddressKind.Reserved)]
    [InlineData("::2", AddressKind.Reserved)]
    public void Classifies_addresses_including_ipv6_forms_that_embed_ipv4(string address, AddressKind expected) =>
        AddressClassifier.Classify(IPAddress.Parse(address)).Should().Be(expected);

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("100.100.100.200")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("224.0.0.1")]
    [InlineData("192.0.2.1")]
    public void Link_local_metadata_and_reserved_addresses_are_refused_even_when_everything_else_is_allowed(string address)
    {
        var policy = new AddressPolicy(allowLoopback: true, allowPrivate: true);
        policy.Refusal(IPAddress.Parse(address)).Should().NotBeNull().And.Contain("never allowed");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_is_refused_unless_allowed(string address)
    {
        var ip = IPAddress.Parse(address);
        new AddressPolicy(allowLoopback: false, allowPrivate: true).Refusal(ip).Should().Contain("loopback");
        new AddressPolicy(allowLoopback: true, allowPrivate: false).Refusal(ip).Should().BeNull();
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("172.20.1.1")]
    [InlineData("192.168.50.4")]
    [InlineData("100.64.3.3")]
    [InlineData("fd00::5")]
    [InlineData("::ffff:10.1.2.3")]
    public void Private_addresses_are_refused_unless_allowed(string address)
    {
        var ip = IPAddress.Parse(address);
        new AddressPolicy(allowLoopback: true, allowPrivate: false).Refusal(ip).Should().Contain("private");
        new AddressPolicy(allowLoopback: false, allowPrivate: true).Refusal(ip).Should().BeNull();
    }

    [Fact]
    public void Public_addresses_are_allowed_under_the_strictest_policy()
    {
        var policy = new AddressPolicy(allowLoopback: false, allowPrivate: false);
        policy.Refusal(IPAddress.Parse("93.184.216.34")).Should().BeNull();
        policy.Refusal(IPAddress.Parse("2606:4700::6810:85e5")).Should().BeNull();
    }

    [Fact]
    public void The_loopback_rule_is_read_at_each_check_so_it_follows_the_listener()
    {
        var loopbackOnly = true;
        var policy = new AddressPolicy(() => loopbackOnly, () => false);
        policy.Refusal(IPAddress.Loopback).Should().BeNull();
        loopbackOnly = false;
        policy.Refusal(IPAddress.Loopback).Should().NotBeNull();
    }
}
