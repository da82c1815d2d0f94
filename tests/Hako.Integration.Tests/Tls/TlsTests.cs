using System.Diagnostics;
using System.Net.Http.Json;
using Hako.Client;
using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Tls;

/// <summary>
/// hakod's TCP API is HTTPS with a self-signed certificate made at first start; clients and peers pin its
/// fingerprint on first contact and refuse a changed one; plain HTTP only on loopback with --insecure-http.
/// </summary>
public sealed class TlsTests
{
    [SkippableFact]
    public async Task Listen_ServesHttps_WithTheFingerprintHakodReportsAndLogs()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode(listen: true);
        await node.StartAsync();

        using var tcp = node.TcpClient();
        var info = await tcp.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo);
        Assert.Equal(node.Fingerprint, info!.TlsFingerprint);
        Assert.StartsWith("sha256:", info.TlsFingerprint, StringComparison.Ordinal);
        Assert.Contains(node.Fingerprint, node.Log, StringComparison.Ordinal);
        // The private key is a secret: 0600 in a 0700 directory.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.DataDir, "tls", "hakod.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(node.DataDir, "tls")));

        // Plain HTTP to the TLS port gets no API answer.
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.ListenPort}"), Timeout = TimeSpan.FromSeconds(10) };
        plain.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", node.Token);
        try
        {
            using var r = await plain.GetAsync("/v1/node");
            Assert.False(r.IsSuccessStatusCode, "plain HTTP to the HTTPS port must not be served");
        }
        catch (HttpRequestException)
        {
        }

        // The same certificate after a restart: clients' pins stay valid.
        var before = node.Fingerprint;
        await node.StopDaemonAsync();
        await node.StartAsync(clean: false);
        using var again = node.TcpClient();
        Assert.Equal(before, (await again.GetFromJsonAsync("/v1/node", HakoJsonContext.Default.NodeInfo))!.TlsFingerprint);
    }

    [SkippableFact]
    public async Task Client_TrustsOnlyThePinnedCertificate()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode(listen: true);
        await node.StartAsync();
        var url = new Uri(node.Url);

        Assert.Equal(node.Fingerprint, await CertificatePin.FetchAsync(url));
        using (var pinned = new HakoClient(HakoEndpoint.ForUrl(url, node.Token, node.Fingerprint)))
        {
            Assert.Equal(node.NodeName, (await pinned.GetNodeAsync()).NodeName);
        }

        var wrong = "sha256:" + new string('0', 64);
        using (var mismatched = new HakoClient(HakoEndpoint.ForUrl(url, node.Token, wrong)))
        {
            var e = await Assert.ThrowsAsync<HakoApiException>(() => mismatched.GetNodeAsync());
            Assert.Equal("PermissionDenied", e.Code);
            Assert.Contains("not the pinned", e.Message, StringComparison.Ordinal);
        }

        using (var unpinned = new HakoClient(HakoEndpoint.ForUrl(url, node.Token)))
        {
            var e = await Assert.ThrowsAsync<HakoApiException>(() => unpinned.GetNodeAsync());
            Assert.Contains("hako remote add", e.Message, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task RemoteAdd_PinsTheCertificate_AndAChangedOneIsRefused()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode(listen: true);
        await node.StartAsync();
        var config = Directory.CreateTempSubdirectory("hako-remotes-");
        try
        {
            var add = await CliAsync(config.FullName, "remote", "add", "n1", node.Url, "--token", node.Token);
            Assert.True(add.ExitCode == 0, add.Output);
            Assert.Contains(node.Fingerprint, add.Output, StringComparison.Ordinal);
            var file = Path.Combine(config.FullName, "remotes.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

            var show = await CliAsync(config.FullName, "--remote", "n1", "node", "--json");
            Assert.True(show.ExitCode == 0, show.Output);
            Assert.Contains(node.NodeName, show.Output, StringComparison.Ordinal);

            // A fingerprint given by the operator must match what the node presents.
            var bad = await CliAsync(config.FullName, "remote", "add", "n2", node.Url, "--token", node.Token, "--fingerprint", "sha256:" + new string('a', 64));
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("not the pinned", bad.Output, StringComparison.Ordinal);

            // The node gets a new certificate (its tls/ was replaced): the pinned remote refuses it.
            await node.StopDaemonAsync();
            Directory.Delete(Path.Combine(node.DataDir, "tls"), recursive: true);
            await node.StartAsync(clean: false);
            var refused = await CliAsync(config.FullName, "--remote", "n1", "node");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("not the pinned", refused.Output, StringComparison.Ordinal);
            Assert.Contains("hako remote remove", refused.Output, StringComparison.Ordinal);
        }
        finally
        {
            config.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public async Task NodeAdd_PinsThePeer_AndPeerCallsRefuseAChangedCertificate()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var a = new HakodNode();
        await using var b = new HakodNode(listen: true);
        await a.StartAsync();
        await b.StartAsync();

        var added = await a.Http.PostAsJsonAsync("/v1/nodes",
            new AddNodeRequest { Name = b.NodeName, Url = b.Url, Token = b.Token }, HakoJsonContext.Default.AddNodeRequest);
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        var peer = (await added.Content.ReadFromJsonAsync(HakoJsonContext.Default.PeerNodeInfo))!;
        Assert.Equal(b.Fingerprint, peer.Fingerprint);

        await b.StopDaemonAsync();
        Directory.Delete(Path.Combine(b.DataDir, "tls"), recursive: true);
        await b.StartAsync(clean: false);
        var list = (await a.Http.GetFromJsonAsync("/v1/nodes", HakoJsonContext.Default.ListPeerNodeInfo))!;
        var seen = Assert.Single(list);
        Assert.Equal("unreachable", seen.State);
        Assert.Contains("not the pinned", seen.Error, StringComparison.Ordinal);

        // Plain HTTP to another host is refused before any token is sent.
        var http = await a.Http.PostAsJsonAsync("/v1/nodes",
            new AddNodeRequest { Name = "far", Url = "http://192.0.2.10:8443", Token = "x" }, HakoJsonContext.Default.AddNodeRequest);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Contains("use https://", await http.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task InsecureHttp_IsRefusedOffLoopback()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        var psi = new ProcessStartInfo("dotnet", [Paths.Hakod, "--data-dir", "/tmp/hako-tls-refused", "--listen", "0.0.0.0:18443", "--insecure-http"])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("only allowed on a loopback address", err, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/tmp/hako-tls-refused"), "a refused start must not create the data dir");
    }

    private static async Task<(int ExitCode, string Output)> CliAsync(string configDir, params string[] args)
    {
        var psi = new ProcessStartInfo(Paths.Cli[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Paths.Cli[1..].Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HAKO_CONFIG_DIR"] = configDir;
        psi.Environment.Remove("HAKO_SOCKET");
        psi.Environment.Remove("HAKO_URL");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout + await stderr);
    }
}
