using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hako.Contracts;

namespace Hako.Client;

/// <summary>
/// Typed client for hakod's REST API (docs/api.md). One method per route; every body goes through the
/// source-generated <see cref="HakoJsonContext"/>. Errors arrive as <see cref="HakoApiException"/>.
/// </summary>
public sealed partial class HakoClient : IDisposable
{
    /// <summary>How to start hakod, appended to every "not running" message.</summary>
    public const string StartHint =
        "Start it with: ./run.sh  (or: hakod --data-dir /var/lib/hako &), or point HAKO_SOCKET at a running hakod";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    public HakoClient(HakoEndpoint endpoint)
        : this(CreateHttpClient(endpoint), endpoint, ownsHttpClient: true)
    {
    }

    /// <summary>Uses a caller-made <see cref="HttpClient"/> (tests, custom handlers); its BaseAddress must be set.</summary>
    public HakoClient(HttpClient httpClient, HakoEndpoint endpoint, bool ownsHttpClient = false)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = httpClient;
        _ownsHttp = ownsHttpClient;
        Endpoint = endpoint;
    }

    public HakoEndpoint Endpoint { get; }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static HttpClient CreateHttpClient(HakoEndpoint endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        Uri baseAddress;
        if (endpoint.SocketPath is { } path)
        {
            // Host name is irrelevant on a unix socket; every connection goes to the socket file.
            baseAddress = new Uri("http://hakod/");
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        else
        {
            var url = endpoint.Url!.ToString();
            baseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
            if (endpoint.Fingerprint is { } pinned)
            {
                // hakod's certificate is self-signed: trust exactly the pinned one, nothing else.
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => CertificatePin.Matches(certificate, pinned);
            }
        }

        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = baseAddress };
        if (endpoint.Token is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private Task<T> GetAsync<T>(string path, JsonTypeInfo<T> resultType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, content: null, resultType, cancellationToken);

    private Task<TResult> SendJsonAsync<TBody, TResult>(HttpMethod method, string path, TBody body,
        JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken) =>
        SendAsync(method, path, JsonContent.Create(body, bodyType, JsonMediaType), resultType, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content,
        JsonTypeInfo<T> resultType, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, path, content, cancellationToken).ConfigureAwait(false);
        try
        {
            var value = await response.Content.ReadFromJsonAsync(resultType, cancellationToken).ConfigureAwait(false);
            return value ?? throw new HakoApiException(nameof(ErrorCode.Internal), (int)response.StatusCode,
                $"hakod answered {method} /{path} with an empty body");
        }
        catch (JsonException ex)
        {
            throw new HakoApiException(nameof(ErrorCode.Internal), (int)response.StatusCode,
                $"hakod's answer to {method} /{path} is not a valid {typeof(T).Name}: {ex.Message}", innerException: ex);
        }
    }

    private async Task SendNoContentAsync(HttpMethod method, string path, CancellationToken cancellationToken, HttpContent? content = null)
    {
        using var response = await SendCoreAsync(method, path, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one request; connection failures and non-2xx answers become <see cref="HakoApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, HttpContent? content,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw TranslateConnectFailure(ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HakoApiException(nameof(ErrorCode.Internal), 0,
                $"hakod at {Endpoint} did not answer {method} /{path} within {_http.Timeout.TotalSeconds:0} s",
                innerException: ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ReadProblemAsync(method, path, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<HakoApiException> ReadProblemAsync(HttpMethod method, string path,
        HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "application/problem+json" or "application/json")
        {
            try
            {
                var problem = await response.Content
                    .ReadFromJsonAsync(HakoJsonContext.Default.ProblemInfo, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    return HakoApiException.FromProblem(problem.Status == 0 ? problem with { Status = status } : problem);
                }
            }
            catch (JsonException)
            {
                // Not our problem shape (e.g. a proxy's error page): fall through to the status.
            }
        }

        return new HakoApiException(HakoApiException.CodeForStatus(status), status,
            $"hakod answered {status} {response.ReasonPhrase} to {method} /{path}");
    }

    private HakoApiException TranslateConnectFailure(HttpRequestException ex)
    {
        var socketError = (ex.InnerException as SocketException)?.SocketErrorCode;
        if (Endpoint.SocketPath is { } path)
        {
            if (socketError == SocketError.AccessDenied)
            {
                return new HakoApiException(nameof(ErrorCode.PermissionDenied), 0,
                    $"Permission denied on hakod's socket {path}: hako needs root (run it as root or with sudo)",
                    innerException: ex);
            }

            if (socketError == SocketError.ConnectionRefused)
            {
                return new HakoApiException(HakoApiException.DaemonNotRunningCode, 0,
                    $"hakod is not running (nothing listens on {path}; the socket file is left over). {StartHint}",
                    innerException: ex);
            }

            if (!File.Exists(path) || socketError is SocketError.AddressNotAvailable)
            {
                return new HakoApiException(HakoApiException.DaemonNotRunningCode, 0,
                    $"hakod is not running (no socket at {path}). {StartHint}", innerException: ex);
            }

            return new HakoApiException(nameof(ErrorCode.Internal), 0,
                $"Cannot talk to hakod on {path}: {ex.Message}", innerException: ex);
        }

        if (socketError is SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable
            || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            return new HakoApiException(HakoApiException.DaemonNotRunningCode, 0,
                $"hakod is not reachable at {Endpoint.Url} ({ex.Message}). Check that hakod runs there with --listen, or unset HAKO_URL to use the local socket",
                innerException: ex);
        }

        if (ex.HttpRequestError == HttpRequestError.SecureConnectionError || ex.InnerException is System.Security.Authentication.AuthenticationException)
        {
            return Endpoint.Fingerprint is { } pinned
                ? new HakoApiException(nameof(ErrorCode.PermissionDenied), 0,
                    CertificatePin.MismatchMessage(Endpoint.Url!, pinned, seen: null), innerException: ex)
                : new HakoApiException(nameof(ErrorCode.PermissionDenied), 0,
                    $"The TLS certificate of {Endpoint.Url} is not trusted (hakod's is self-signed). Pin it: hako remote add NAME {Endpoint.Url} --token T "
                    + $"(or set {HakoEndpoint.FingerprintVariable} to the fingerprint `hako node` prints on that node)", innerException: ex);
        }

        return new HakoApiException(nameof(ErrorCode.Internal), 0,
            $"Cannot talk to hakod at {Endpoint.Url}: {ex.Message}", innerException: ex);
    }
}
