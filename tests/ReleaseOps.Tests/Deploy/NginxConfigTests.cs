using System.Diagnostics;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>Reading nginx configuration: comments are not configuration, and where client keep-alive meets a switched upstream.</summary>
public sealed class NginxConfigTests
{
    [Fact]
    public void An_upstream_block_in_a_comment_is_not_an_upstream()
    {
        var text = """
            # Managed by ReleaseOps.
            # upstream web { server 127.0.0.1:8080; }   an example someone left here
            upstream web {
                server 127.0.0.1:21001 max_fails=0; # the live one
            }
            """;

        var block = Assert.Single(NginxProxyController.Parse(text));
        Assert.Equal("web", block.Name);
        Assert.Equal("127.0.0.1:21001", Assert.Single(block.Servers).Address);
        Assert.Equal("a \"#not a comment\" b \n\nc", NginxConfig.StripComments("a \"#not a comment\" b # gone\n# gone\nc"));
    }

    [Fact]
    public void Locations_that_keep_client_connections_alive_in_front_of_an_upstream_are_found_with_file_and_line()
    {
        var dump = """
            # configuration file /etc/nginx/nginx.conf:
            events { }
            http {
                include /etc/nginx/upstreams.conf;
                server {
                    listen 80;
                    location / { proxy_pass http://web; }
                    location /static { root /srv; }
                }
                server {
                    listen 81;
                    keepalive_timeout 0;
                    location / { proxy_pass http://web/; }
                    location /api { keepalive_timeout 30s; proxy_pass http://web; }
                }
                server { listen 82; location / { proxy_pass http://other; } }
            }

            # configuration file /etc/nginx/upstreams.conf:
            upstream web { server 127.0.0.1:1; }
            """;

        var found = NginxConfig.KeepAliveLocations(NginxConfig.ReadDump(dump), "web");

        Assert.Equal(new[] { "/etc/nginx/nginx.conf:6", "/etc/nginx/nginx.conf:13" }, found.Select(l => $"{l.File}:{l.Line}"));
    }

    [Fact]
    public async Task The_controller_warns_when_the_real_nginx_keeps_connections_alive_and_not_when_it_does_not()
    {
        var dir = Directory.CreateTempSubdirectory("ro-nginx-ka-").FullName;
        try
        {
            var upstreams = Path.Combine(dir, "upstreams.conf");
            await File.WriteAllTextAsync(upstreams, NginxProxyController.Render(new[] { new UpstreamBlock("web", new[] { new UpstreamServer("127.0.0.1:21999") }) }));
            var config = Path.Combine(dir, "nginx.conf");
            async Task<string?> WarningAsync(string keepAlive)
            {
                await File.WriteAllTextAsync(config, DeployFixture.NginxConfig(dir, upstreams, new Dictionary<string, int> { ["web"] = 21998 })
                    .Replace("keepalive_timeout 0;", keepAlive));
                return await new NginxProxyController(new ProxyDefinition { UpstreamFile = upstreams, ConfigFile = config })
                    .KeepAliveWarningAsync("web", default);
            }

            Assert.Null(await WarningAsync("keepalive_timeout 0;"));
            var warning = await WarningAsync("");
            Assert.Contains($"{config}:", warning);
            Assert.Contains("keepalive_timeout 0", warning);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task An_upstream_defined_twice_in_the_managed_file_is_refused_naming_it()
    {
        var dir = Directory.CreateTempSubdirectory("ro-nginx-dup-").FullName;
        try
        {
            var upstreams = Path.Combine(dir, "upstreams.conf");
            await File.WriteAllTextAsync(upstreams, "upstream web { server 127.0.0.1:1; }\nupstream web { server 127.0.0.1:2; }\n");
            var controller = new NginxProxyController(new ProxyDefinition { UpstreamFile = upstreams, ConfigFile = Path.Combine(dir, "nginx.conf") });

            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => controller.SwitchAsync("web", new[] { new UpstreamServer("127.0.0.1:3") }, default));

            Assert.Equal("ProxyUpstreamDuplicate", error.ErrorId);
            Assert.Contains("'web' 2 times", error.Message);
            Assert.Contains(upstreams, error.Fix);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
