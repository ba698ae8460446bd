using ReleaseOps.Gates;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

[Collection(GateNginxCollection.Name)]
public class TlsAndTcpGateTests
{
    private readonly GateNginxFixture _nginx;

    public TlsAndTcpGateTests(GateNginxFixture nginx) => _nginx = nginx;

    [Fact]
    public async Task A_year_long_certificate_from_the_pinned_ca_passes()
    {
        var result = await Run(("type", "tls"), ("host", "localhost"), ("port", GateNginxFixture.GoodTlsPort), ("ca_file", _nginx.CaFile),
            ("min_protocol", "tls1.2"), ("expect", "cert_expiry > 300d"));

        Assert.True(result.Status == GateStatus.Passed, Explain(result));
        Assert.True(Convert.ToDouble(result.Evidence["days_to_expiry"]) >= 363);
        Assert.Equal("tls1.3", result.Evidence["protocol"]);
    }

    [Fact]
    public async Task A_certificate_expiring_in_5_days_fails_the_30_day_floor()
    {
        var result = await Run(("type", "tls"), ("host", "localhost"), ("port", GateNginxFixture.ShortTlsPort), ("ca_file", _nginx.CaFile));

        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Contains("expires in 4 days (less than 30)", result.Message);
        Assert.Equal("tls", result.Type);
        Assert.Equal("security", result.Category);
    }

    [Fact]
    public async Task An_untrusted_chain_and_a_wrong_host_name_fail()
    {
        var untrusted = await Run(("type", "tls"), ("host", "localhost"), ("port", GateNginxFixture.GoodTlsPort));
        Assert.Equal(GateStatus.Failed, untrusted.Status);
        Assert.Contains("not trusted by the system store", untrusted.Message);

        var wrongName = await Run(("type", "tls"), ("host", "127.0.0.1"), ("port", GateNginxFixture.GoodTlsPort), ("server_name", "shop.example"), ("ca_file", _nginx.CaFile));
        Assert.Equal(GateStatus.Failed, wrongName.Status);
        Assert.Contains("not valid for 'shop.example'", wrongName.Message);
    }

    [Fact]
    public async Task A_tls1_3_floor_fails_on_a_server_that_also_accepts_tls1_2()
    {
        var result = await Run(("type", "tls"), ("host", "localhost"), ("port", GateNginxFixture.GoodTlsPort), ("ca_file", _nginx.CaFile), ("min_protocol", "tls1.3"));

        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Contains("also accepts protocols below tls1.3", result.Message);
    }

    [Fact]
    public async Task A_plain_port_is_a_handshake_error()
    {
        var result = await Run(("type", "tls"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort));

        Assert.Equal(GateStatus.Error, result.Status);
        Assert.Equal("TlsHandshakeFailed", result.ErrorId);
    }

    [Fact]
    public async Task Tcp_open_and_closed_states()
    {
        var open = await Run(("type", "tcp"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort));
        Assert.True(open.Status == GateStatus.Passed, Explain(open));

        var closedWanted = await Run(("type", "tcp"), ("host", "127.0.0.1"), ("port", 22996), ("state", "closed"));
        Assert.True(closedWanted.Status == GateStatus.Passed, Explain(closedWanted));

        var openButShouldNotBe = await Run(("type", "tcp"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort), ("state", "closed"));
        Assert.Equal(GateStatus.Failed, openButShouldNotBe.Status);
        Assert.Contains("accepts connections, expected closed", openButShouldNotBe.Message);

        var refused = await Run(("type", "tcp"), ("host", "127.0.0.1"), ("port", 22996));
        Assert.Equal(GateStatus.Failed, refused.Status);
        Assert.Contains("refuses connections, expected open", refused.Message);
    }
}
