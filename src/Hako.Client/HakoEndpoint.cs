namespace Hako.Client;

/// <summary>Where hakod is: a unix socket on this node, or a TCP URL with a bearer token.</summary>
public sealed record HakoEndpoint
{
    public const string DefaultSocketPath = "/run/hako/hako.sock";
    public const string SocketVariable = "HAKO_SOCKET";
    public const string UrlVariable = "HAKO_URL";
    public const string TokenVariable = "HAKO_TOKEN";
    public const string FingerprintVariable = "HAKO_FINGERPRINT";

    private HakoEndpoint(string? socketPath, Uri? url, string? token, string? fingerprint = null)
    {
        SocketPath = socketPath;
        Url = url;
        Token = token;
        Fingerprint = fingerprint;
    }

    /// <summary>Unix socket path; null for a TCP endpoint.</summary>
    public string? SocketPath { get; }

    /// <summary>TCP base URL; null for a unix socket.</summary>
    public Uri? Url { get; }

    public string? Token { get; }

    /// <summary>The pinned SHA-256 fingerprint of the server's certificate (https URLs); null = the system's CA trust.</summary>
    public string? Fingerprint { get; }

    /// <summary>True when hakod is reached through its unix socket, i.e. it runs on this node.</summary>
    public bool IsLocal => SocketPath is not null;

    public static HakoEndpoint ForSocket(string path) => new(path, null, null);

    public static HakoEndpoint ForUrl(Uri url, string? token, string? fingerprint = null) => new(null, url, token, fingerprint);

    /// <summary>
    /// <paramref name="socketOption"/> (--socket) wins, then HAKO_SOCKET, then HAKO_URL (+ HAKO_TOKEN and
    /// HAKO_FINGERPRINT), then the default socket.
    /// </summary>
    public static HakoEndpoint Resolve(string? socketOption, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        if (!string.IsNullOrEmpty(socketOption))
        {
            return ForSocket(socketOption);
        }

        var socket = getEnvironmentVariable(SocketVariable);
        if (!string.IsNullOrEmpty(socket))
        {
            return ForSocket(socket);
        }

        var url = getEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrEmpty(url))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new HakoApiException("InvalidArgument", 0,
                    $"{UrlVariable} '{url}' is not an http(s) URL; use e.g. http://10.0.0.5:8443");
            }

            string? fingerprint = null;
            if (getEnvironmentVariable(FingerprintVariable) is { Length: > 0 } f)
            {
                fingerprint = CertificatePin.Normalize(f)
                    ?? throw new HakoApiException("InvalidArgument", 0,
                        $"{FingerprintVariable} '{f}' is not a SHA-256 fingerprint; copy the one `hako node` prints on that node (sha256:...)");
            }

            return ForUrl(uri, getEnvironmentVariable(TokenVariable), fingerprint);
        }

        return ForSocket(DefaultSocketPath);
    }

    public override string ToString() => SocketPath ?? Url!.ToString();
}
