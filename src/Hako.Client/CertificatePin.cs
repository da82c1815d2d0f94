using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hako.Client;

/// <summary>
/// hakod's TCP API serves a self-signed certificate made at its first start. Clients trust it by its
/// SHA-256 fingerprint, pinned on first contact (as incus remotes do): `hako remote add` and
/// `hako node add` fetch it, store it, and every later connection must present the same certificate.
/// </summary>
public static class CertificatePin
{
    /// <summary>"sha256:" + lowercase hex of the SHA-256 of the certificate's DER bytes.</summary>
    public static string Fingerprint(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));
    }

    /// <summary>
    /// Accepts "sha256:ab12...", "AB:12:..." (openssl's form) or bare hex; returns the canonical form, or null
    /// when the text is not a SHA-256 fingerprint.
    /// </summary>
    public static string? Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var t = text.Trim();
        if (t.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            t = t["sha256:".Length..];
        }

        t = t.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        return t.Length == 64 && t.All(char.IsAsciiHexDigit) ? "sha256:" + t : null;
    }

    /// <summary>
    /// The URL of another node's hakod, as `hako remote add` and `hako node add` take it: https, or plain http only
    /// to a loopback address (the bearer token must not cross the network in clear). Null when it is fine.
    /// </summary>
    public static string? CheckNodeUrl(string text, out Uri? url)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            url = null;
            return $"URL '{text}' is not an https URL; use the node's hakod --listen address, e.g. https://192.0.2.10:8443";
        }

        return url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback
            ? $"URL '{text}' is plain HTTP to another host: the token would cross the network in clear; use https://{url.Authority}"
            : null;
    }

    /// <summary>True when <paramref name="certificate"/> is the pinned one (compared in constant time).</summary>
    public static bool Matches(X509Certificate? certificate, string pinned)
    {
        if (certificate is null)
        {
            return false;
        }

        var seen = System.Text.Encoding.ASCII.GetBytes(Fingerprint(certificate));
        var want = System.Text.Encoding.ASCII.GetBytes(Normalize(pinned) ?? "");
        return CryptographicOperations.FixedTimeEquals(seen, want);
    }

    /// <summary>
    /// Connects to <paramref name="url"/> over TLS without trusting anything and returns the fingerprint of the
    /// certificate the server presents: the first contact of a pin.
    /// </summary>
    public static async Task<string> FetchAsync(Uri url, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Scheme != Uri.UriSchemeHttps)
        {
            throw new HakoApiException("InvalidArgument", 0, $"{url} is not an https URL: only TLS endpoints have a certificate to pin");
        }

        using var tcp = new System.Net.Sockets.TcpClient();
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new HakoApiException(HakoApiException.DaemonNotRunningCode, 0,
                $"hakod is not reachable at {url} ({e.Message}); is it running there with --listen?", innerException: e);
        }

        X509Certificate? seen = null;
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            seen = certificate is null ? null : new X509Certificate2(certificate);
            return true;
        });
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.Host }, cancellationToken).ConfigureAwait(false);
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            throw new HakoApiException("Internal", 0, $"TLS handshake with {url} failed: {e.Message}; is this hakod's --listen address (https)?", innerException: e);
        }
        catch (IOException e)
        {
            throw new HakoApiException("Internal", 0, $"TLS handshake with {url} failed: {e.Message}; is this hakod's --listen address (https)?", innerException: e);
        }

        return seen is null
            ? throw new HakoApiException("Internal", 0, $"{url} presented no certificate")
            : Fingerprint(seen);
    }

    /// <summary>The message for a certificate that is not the pinned one.</summary>
    public static string MismatchMessage(Uri url, string pinned, string? seen) =>
        $"The TLS certificate of {url} is {seen ?? "unknown"}, not the pinned {pinned}. Someone may be in the middle; "
        + "if the node was reinstalled or its data dir's tls/ was replaced, check the fingerprint `hako node` prints on that node, "
        + "then pin it again (hako remote remove NAME && hako remote add NAME URL --token T, or for a peer: hako node remove NAME && hako node add NAME URL --token T)";
}
