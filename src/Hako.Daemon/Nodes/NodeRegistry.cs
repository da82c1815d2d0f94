using Hako.Client;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Validation;
using Hako.Daemon.Options;
using Hako.State;

namespace Hako.Daemon.Nodes;

/// <summary>
/// The other nodes this one knows (hako node add/list/remove): where their hakod API listens and their token.
/// Node-to-node traffic goes through that TCP API with the peer's bearer token, never through ssh.
/// </summary>
public sealed class NodeRegistry(HakodOptions options, IStateStore store, TimeProvider time)
{
    public async Task<PeerNodeInfo> AddAsync(AddNodeRequest req, CancellationToken ct = default)
    {
        var errors = new List<string>();
        if (Names.CheckName(req.Name, "Node name") is { } nameError)
        {
            errors.Add(nameError);
        }
        else if (string.Equals(req.Name, options.NodeName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{req.Name} is this node itself; add the other nodes");
        }

        if (CertificatePin.CheckNodeUrl(req.Url, out var url) is { } urlError)
        {
            errors.Add(urlError);
        }

        string? pinned = null;
        if (req.Fingerprint is not null && (pinned = CertificatePin.Normalize(req.Fingerprint)) is null)
        {
            errors.Add($"Fingerprint '{req.Fingerprint}' is not a SHA-256 fingerprint; copy the one the peer's `hako node` prints (sha256:...)");
        }

        if (string.IsNullOrWhiteSpace(req.Token))
        {
            errors.Add("A token is required: the peer's DATA-DIR/api.token (--token T)");
        }

        if (errors.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument, string.Join("; ", errors), errors);
        }

        if (url!.Scheme == Uri.UriSchemeHttps)
        {
            // Pin on first contact (as incus remotes do), or check the fingerprint the operator copied from the peer.
            string seen;
            try
            {
                seen = await CertificatePin.FetchAsync(url, ct);
            }
            catch (HakoApiException e)
            {
                throw new HakoException(ErrorCode.Conflict, $"Node {req.Name} at {url} did not answer: {e.Message}");
            }

            if (pinned is not null && pinned != seen)
            {
                throw new HakoException(ErrorCode.Conflict, CertificatePin.MismatchMessage(url, pinned, seen));
            }

            pinned = seen;
        }

        var peer = new PeerNode(req.Name, url, req.Token.Trim(), time.GetUtcNow(), pinned);
        var info = await ProbeAsync(peer, ct);
        if (info.Error is not null)
        {
            throw new HakoException(ErrorCode.Conflict, $"Node {req.Name} at {url} did not answer: {info.Error}");
        }

        if (store.ListNodes().Any(n => n.Name == req.Name) || !store.TryInsertNode(peer))
        {
            throw new HakoException(ErrorCode.AlreadyExists, $"Node {req.Name} is already registered; remove it first (hako node remove {req.Name}) to change its URL or token");
        }

        return info;
    }

    public async Task<IReadOnlyList<PeerNodeInfo>> ListAsync(CancellationToken ct = default) =>
        await Task.WhenAll(store.ListNodes().Select(n => ProbeAsync(n, ct)));

    public void Remove(string name)
    {
        Require(name);
        store.DeleteNode(name);
    }

    public PeerNode Require(string name) =>
        store.ListNodes().FirstOrDefault(n => n.Name == name)
        ?? throw HakoException.NotFound($"Node {name} is not registered on {options.NodeName}; add it with: hako node add {name} URL --token TOKEN (see hako node list)");

    public IReadOnlyList<PeerNode> List() => store.ListNodes();

    public static HakoClient Client(PeerNode node) => HakoClient.ForPeer(node.Url, node.Token, node.Fingerprint);

    /// <summary>GET the peer's /v1/node (5 s at most): checks URL, token and name; the state says whether it takes containers.</summary>
    private async Task<PeerNodeInfo> ProbeAsync(PeerNode node, CancellationToken ct)
    {
        using var client = Client(node);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        string? error = null;
        NodeInfo? info = null;
        try
        {
            info = await client.GetNodeAsync(timeout.Token);
            if (info.NodeName != node.Name)
            {
                error = $"the hakod at {node.Url} calls itself '{info.NodeName}', not '{node.Name}'; register it under its own name";
            }
        }
        catch (HakoApiException e)
        {
            error = e.Code == nameof(ErrorCode.Unauthorized)
                ? $"it refused the token ({e.Message}); pass the peer's DATA-DIR/api.token with --token"
                : e.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"no answer from {node.Url} within 5 s; is hakod running there with --listen?";
        }

        return new PeerNodeInfo
        {
            Name = node.Name,
            Url = node.Url.ToString(),
            AddedAt = node.AddedAt,
            Fingerprint = node.Fingerprint,
            State = error is not null ? "unreachable" : info!.Evacuated ? "evacuated" : "active",
            Error = error,
            Containers = info?.Containers,
            Version = info?.Version,
        };
    }
}

/// <summary>Turns a peer's error answer into this node's error, keeping its code and its list of problems.</summary>
internal static class PeerErrors
{
    public static HakoException From(HakoApiException e, string context)
    {
        var code = Enum.TryParse<ErrorCode>(e.Code, out var c) ? c : ErrorCode.Internal;
        var message = $"{context}: {e.Message}";
        return e.Errors.Count > 0 ? new HakoException(code, message, e.Errors) : new HakoException(code, message, e);
    }
}
