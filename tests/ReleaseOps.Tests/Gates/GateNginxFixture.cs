using System.Diagnostics;
using System.Net.Sockets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// One private nginx for the gate tests, in its own temp directory, with certificates made by
/// openssl for this run: a CA, a localhost certificate valid for a year, and one that expires in
/// 5 days. Servers (ports from the gates range):
/// 22080 plain HTTP without security headers (/health JSON, /redirect, /echo-auth);
/// 22081 plain HTTP that redirects everything to HTTPS;
/// 22443 HTTPS, year-long certificate, full security headers, CORS for https://app.example only;
/// 22444 HTTPS, 5-day certificate, weak headers (CSP with unsafe-inline, no HSTS), CORS * with credentials.
/// </summary>
public sealed class GateNginxFixture : IAsyncLifetime
{
    public const int PlainPort = 22080;
    public const int RedirectPort = 22081;
    public const int GoodTlsPort = 22443;
    public const int ShortTlsPort = 22444;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ro-gate-nginx-" + Guid.NewGuid().ToString("N")[..8]);
    public string CaFile => Path.Combine(Directory, "ca.pem");
    public string ConfigFile => Path.Combine(Directory, "nginx.conf");

    public string Plain => $"http://127.0.0.1:{PlainPort}";
    public string Good => $"https://localhost:{GoodTlsPort}";
    public string Short => $"https://localhost:{ShortTlsPort}";

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Nginx); // nginx and openssl come with the test environment
        System.IO.Directory.CreateDirectory(Directory);
        var d = Directory;
        await Shell($$"""
            set -e
            cd {{d}}
            openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=ro-gate-test-ca -keyout ca.key -out ca.pem
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
            for n in good:365 short:5; do
              name=${n%%:*}; days=${n##*:}
              openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout $name.key -out $name.csr
              openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days $days -extfile san.ext -out $name.pem
            done
            """);
        await File.WriteAllTextAsync(ConfigFile, $$"""
            worker_processes 1;
            pid {{d}}/nginx.pid;
            error_log {{d}}/error.log;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{d}}/tmp-body; proxy_temp_path {{d}}/tmp-proxy;
              fastcgi_temp_path {{d}}/tmp-fcgi; uwsgi_temp_path {{d}}/tmp-uwsgi; scgi_temp_path {{d}}/tmp-scgi;
              default_type application/json;
              map $http_origin $cors_origin { "https://app.example" "https://app.example"; default ""; }
              server {
                listen 127.0.0.1:{{PlainPort}};
                location = /health { return 200 '{"status":"UP","version":"2.3.1","checks":[{"name":"db","ok":true}]}'; }
                location = /redirect { return 302 /health; }
                location = /echo-auth { return 401 'denied for $http_authorization'; }
                location = /missing { return 404 'not here'; }
                location / { return 200 'plain'; }
              }
              server {
                listen 127.0.0.1:{{RedirectPort}};
                location / { return 301 https://localhost:{{GoodTlsPort}}$request_uri; }
              }
              server {
                listen 127.0.0.1:{{GoodTlsPort}} ssl;
                ssl_certificate {{d}}/good.pem; ssl_certificate_key {{d}}/good.key;
                ssl_protocols TLSv1.2 TLSv1.3;
                add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
                add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
                add_header X-Frame-Options DENY always;
                add_header X-Content-Type-Options nosniff always;
                add_header Referrer-Policy strict-origin-when-cross-origin always;
                add_header Access-Control-Allow-Origin $cors_origin always;
                location = /connection { return 200 '{"connection":"$connection"}'; }
                location / {
                  if ($request_method = OPTIONS) { return 204; }
                  return 200 '{"status":"UP"}';
                }
              }
              server {
                listen 127.0.0.1:{{ShortTlsPort}} ssl;
                ssl_certificate {{d}}/short.pem; ssl_certificate_key {{d}}/short.key;
                ssl_protocols TLSv1.2 TLSv1.3;
                add_header Content-Security-Policy "default-src 'self' 'unsafe-inline' 'unsafe-eval'" always;
                add_header Access-Control-Allow-Origin * always;
                add_header Access-Control-Allow-Credentials true always;
                location / {
                  if ($request_method = OPTIONS) { return 204; }
                  return 200 '{"status":"DEGRADED"}';
                }
              }
            }
            """);
        await Shell($"nginx -t -c {ConfigFile} && nginx -c {ConfigFile}");
        foreach (var port in new[] { PlainPort, RedirectPort, GoodTlsPort, ShortTlsPort })
        {
            await WaitForPort(port);
        }
    }

    public async Task DisposeAsync()
    {
        await Shell($"nginx -c {ConfigFile} -s quit || true");
        await Task.Delay(200);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WaitForPort(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
    }

    internal static async Task<string> Shell(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"shell step failed ({process.ExitCode}): {await stderr}\n{script}");
        }
        return await stdout;
    }
}

[CollectionDefinition(Name)]
public sealed class GateNginxCollection : ICollectionFixture<GateNginxFixture>
{
    public const string Name = "ro-gate nginx";
}
