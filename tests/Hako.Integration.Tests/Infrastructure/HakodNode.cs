using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Hako.Contracts;

namespace Hako.Integration.Tests.Infrastructure;

/// <summary>
/// A real hakod process on its own data dir, socket, bridge, subnet and node name, so tests (and test
/// classes running in parallel) never collide. Disposing destroys its containers and removes everything.
/// </summary>
public sealed class HakodNode : IAsyncDisposable
{
    private static int _next;
    private Process? _process;
    private readonly StringBuilder _log = new();

    /// <param name="tag">Names the node, its data dir and cgroups; unique by default.</param>
    /// <param name="shareNetworkWith">
    /// Another node whose bridge and subnet (one segment, one address pool) this one joins, as two hosts of one
    /// site would; the bridge then belongs to that node, and only it deletes the bridge.
    /// </param>
    /// <param name="listen">Also serve the API on 127.0.0.1:a free port with a token (node-to-node traffic).</param>
    /// <param name="dataDir">A data dir elsewhere (e.g. on a small filesystem the test mounted).</param>
    public HakodNode(string? tag = null, HakodNode? shareNetworkWith = null, bool listen = false, string? dataDir = null)
    {
        var n = Interlocked.Increment(ref _next);
        var id = $"{Environment.ProcessId % 10000}{n}";
        Tag = tag ?? "it" + id;
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), $"hako-{Tag}");
        Socket = Path.Combine(DataDir, "hako.sock");
        Bridge = shareNetworkWith?.Bridge ?? $"hkb{id}";
        // 10.2xx.N.0/24: unique per process and node, inside ranges only this test uses.
        Subnet = shareNetworkWith?.Subnet ?? $"10.{200 + Environment.ProcessId % 50}.{n % 250}.0/24";
        OwnsBridge = shareNetworkWith is null;
        NodeName = Tag;
        if (listen)
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            ListenPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            ExtraArgs.AddRange(["--listen", $"127.0.0.1:{ListenPort}"]);
        }
    }

    /// <summary>False when the bridge is another node's (shared segment): disposing leaves it to its owner.</summary>
    public bool OwnsBridge { get; }

    /// <summary>The TCP port with --listen, else null.</summary>
    public int? ListenPort { get; }

    /// <summary>The TCP API: HTTPS with the node's self-signed certificate (plain HTTP only with --insecure-http).</summary>
    public string Url => ExtraArgs.Contains("--insecure-http") ? $"http://127.0.0.1:{ListenPort}" : $"https://127.0.0.1:{ListenPort}";

    /// <summary>The fingerprint of the certificate hakod made in DATA-DIR/tls at its first start with --listen.</summary>
    public string Fingerprint
    {
        get
        {
            using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
                File.ReadAllText(Path.Combine(DataDir, "tls", "hakod.crt")));
            return Hako.Client.CertificatePin.Fingerprint(cert);
        }
    }

    /// <summary>An HttpClient for the TCP API that trusts exactly this node's certificate (pinned), with or without the token.</summary>
    public HttpClient TcpClient(bool withToken = true)
    {
        var pinned = Fingerprint;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => Hako.Client.CertificatePin.Matches(cert, pinned);
        var http = new HttpClient(handler) { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromMinutes(3) };
        if (withToken)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }

        return http;
    }

    /// <summary>The bearer token of the TCP API (DATA-DIR/api.token, made at start).</summary>
    public string Token => File.ReadAllText(Path.Combine(DataDir, "api.token")).Trim();

    public string Tag { get; }
    public string DataDir { get; }
    public string Socket { get; }
    public string Bridge { get; }
    public string Subnet { get; }
    public string NodeName { get; }
    public string Log => _log.ToString();
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public HttpClient Http { get; private set; } = null!;

    public static bool CanRun(out string reason)
    {
        reason = "";
        if (Environment.UserName != "root")
        {
            reason = "integration tests create real containers and need root";
        }
        else if (!File.Exists("/usr/bin/lxc-start"))
        {
            reason = "LXC is not installed (./test.sh installs it)";
        }
        else if (!File.Exists("/bin/busybox"))
        {
            reason = "busybox-static is not installed (./test.sh installs it)";
        }

        return reason.Length == 0;
    }

    public async Task StartAsync(bool clean = true)
    {
        if (clean && Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, true);
        }

        Directory.CreateDirectory(DataDir);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Paths.Hakod, "--data-dir", DataDir, "--socket", Socket, "--bridge", Bridge, "--subnet", Subnet, "--node-name", NodeName })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in ExtraArgs)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in ExtraEnvironment)
        {
            psi.Environment[k] = v;
        }

        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        Http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://hakod"), Timeout = TimeSpan.FromMinutes(3) };

        // 60 s; an emulated host (scripts/vm.sh, TCG) sets HAKO_TEST_START_TIMEOUT higher.
        var startTimeout = int.TryParse(Environment.GetEnvironmentVariable("HAKO_TEST_START_TIMEOUT"), out var t) && t > 0 ? t : 60;
        var deadline = DateTime.UtcNow.AddSeconds(startTimeout);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"hakod exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var r = await Http.GetAsync("/v1/node");
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"hakod did not answer within {startTimeout} s (HAKO_TEST_START_TIMEOUT):\n{Log}");
    }

    public Dictionary<string, string> ExtraEnvironment { get; } = [];

    public List<string> ExtraArgs { get; } = [];

    /// <summary>Stops hakod: SIGTERM (graceful) or SIGKILL (a crash). Containers keep running either way.</summary>
    public async Task StopDaemonAsync(bool kill = false)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        if (kill)
        {
            _process.Kill();
        }
        else
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Http.Dispose();
    }

    public async Task<OperationInfo> WaitAsync(HttpResponseMessage accepted)
    {
        var body = await accepted.Content.ReadAsStringAsync();
        Assert.True(accepted.StatusCode == System.Net.HttpStatusCode.Accepted, $"expected 202, got {(int)accepted.StatusCode}: {body}");
        var op = System.Text.Json.JsonSerializer.Deserialize(body, HakoJsonContext.Default.OperationInfo)!;
        while (true)
        {
            var done = (await Http.GetFromJsonAsync($"/v1/operations/{op.Id}/wait?timeout=60", HakoJsonContext.Default.OperationInfo))!;
            if (done.Status != "running")
            {
                return done;
            }
        }
    }

    public async Task<OperationInfo> MustSucceed(Task<HttpResponseMessage> call)
    {
        var op = await WaitAsync(await call);
        Assert.True(op.Status == "succeeded", $"{op.Kind} {op.Target} failed: {op.Error?.Detail}\n{Log}");
        return op;
    }

    public Task<HttpResponseMessage> PostAsync<T>(string path, T body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Http.PostAsJsonAsync(path, body, type);

    public Task<OperationInfo> BuildBusyboxAsync() =>
        MustSucceed(PostAsync("/v1/templates/build", new BuildTemplateRequest { Name = "busybox" }, HakoJsonContext.Default.BuildTemplateRequest));

    public Task<OperationInfo> CreateAsync(CreateContainerRequest req) =>
        MustSucceed(PostAsync("/v1/containers", req, HakoJsonContext.Default.CreateContainerRequest));

    public Task<HttpResponseMessage> TryCreateAsync(CreateContainerRequest req) =>
        PostAsync("/v1/containers", req, HakoJsonContext.Default.CreateContainerRequest);

    public async Task<ContainerInfo> ShowAsync(string name) =>
        (await Http.GetFromJsonAsync($"/v1/containers/{name}", HakoJsonContext.Default.ContainerInfo))!;

    public async Task<List<ContainerInfo>> ListAsync() =>
        (await Http.GetFromJsonAsync("/v1/containers", HakoJsonContext.Default.ListContainerInfo))!;

    public async Task<ExecResult> ExecAsync(string name, params string[] command)
    {
        var r = await PostAsync($"/v1/containers/{name}/exec", new ExecRequest { Command = command }, HakoJsonContext.Default.ExecRequest);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"exec {string.Join(' ', command)} in {name}: {(int)r.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize(body, HakoJsonContext.Default.ExecResult)!;
    }

    public Task<OperationInfo> StopAsync(string name, bool force = false) =>
        MustSucceed(PostAsync($"/v1/containers/{name}/stop", new StopRequest { Force = force, TimeoutSeconds = 20 }, HakoJsonContext.Default.StopRequest));

    public Task<OperationInfo> StartAsync(string name) =>
        MustSucceed(Http.PostAsync($"/v1/containers/{name}/start", null));

    public Task<OperationInfo> DestroyAsync(string name, bool force = true) =>
        MustSucceed(Http.DeleteAsync($"/v1/containers/{name}?force={(force ? "true" : "false")}"));

    public static async Task<ProblemInfo> ProblemAsync(HttpResponseMessage r)
    {
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        return (await r.Content.ReadFromJsonAsync(HakoJsonContext.Default.ProblemInfo))!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                foreach (var c in await ListAsync())
                {
                    try
                    {
                        await DestroyAsync(c.Name);
                    }
                    catch (Exception)
                    {
                        // Best effort; the sweep below removes what is left.
                    }
                }

                await StopDaemonAsync();
            }
        }
        catch (Exception)
        {
        }

        var bridge = OwnsBridge ? Bridge : null;
        await HostCleanup.SweepAsync(DataDir, bridge, $"hako-{NodeName}");
        await HostCleanup.SweepAsync(DataDir, bridge, $"hako-{NodeName}.monitor");
    }
}
