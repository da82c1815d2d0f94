using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    private static readonly MediaTypeHeaderValue TarMediaType = new("application/x-tar");

    /// <summary>
    /// A client for another node's TCP API, used by hakod itself during migrations: no overall request timeout,
    /// since one copy pass can stream gigabytes (a dead peer still fails the connection).
    /// </summary>
    public static HakoClient ForPeer(Uri url, string token, string? fingerprint)
    {
        var endpoint = HakoEndpoint.ForUrl(url, token, fingerprint);
        var http = CreateHttpClient(endpoint);
        http.Timeout = Timeout.InfiniteTimeSpan;
        return new HakoClient(http, endpoint, ownsHttpClient: true);
    }

    /// <summary>GET /v1/nodes: registered peer nodes and their state now.</summary>
    public Task<List<PeerNodeInfo>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/nodes", HakoJsonContext.Default.ListPeerNodeInfo, cancellationToken);

    /// <summary>POST /v1/nodes: registers a peer after checking that it answers with that name and token.</summary>
    public Task<PeerNodeInfo> AddNodeAsync(AddNodeRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/nodes", request, HakoJsonContext.Default.AddNodeRequest,
            HakoJsonContext.Default.PeerNodeInfo, cancellationToken);

    /// <summary>DELETE /v1/nodes/{name}.</summary>
    public Task RemoveNodeAsync(string name, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, $"v1/nodes/{Segment(name)}", cancellationToken);

    /// <summary>POST /v1/node/evacuate: marks this node evacuated and moves every container off it.</summary>
    public Task<OperationInfo> EvacuateNodeAsync(EvacuateRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/node/evacuate", request, HakoJsonContext.Default.EvacuateRequest,
            HakoJsonContext.Default.OperationInfo, cancellationToken);

    /// <summary>POST /v1/node/restore: this node takes new containers again.</summary>
    public Task<NodeInfo> RestoreNodeAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/node/restore", content: null, HakoJsonContext.Default.NodeInfo, cancellationToken);

    /// <summary>POST /v1/containers/{name}/migrate: starts the migration; follow the operation's Migration field.</summary>
    public Task<OperationInfo> MigrateContainerAsync(string name, MigrateRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/containers/{Segment(name)}/migrate", request,
            HakoJsonContext.Default.MigrateRequest, HakoJsonContext.Default.OperationInfo, cancellationToken);

    // Node to node: the target's side of a migration, called by the source hakod.

    /// <summary>POST /v1/migrations/incoming/check: would the target take it? Refusals are errors; nothing is changed.</summary>
    public Task<IncomingCheckResult> CheckIncomingAsync(IncomingContainer container, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/migrations/incoming/check", container, HakoJsonContext.Default.IncomingContainer,
            HakoJsonContext.Default.IncomingCheckResult, cancellationToken);

    /// <summary>POST /v1/migrations/incoming: reserves name and address and makes the empty private area.</summary>
    public Task<IncomingCheckResult> PrepareIncomingAsync(IncomingContainer container, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, "v1/migrations/incoming", container, HakoJsonContext.Default.IncomingContainer,
            HakoJsonContext.Default.IncomingCheckResult, cancellationToken);

    /// <summary>PUT /v1/templates/{name}/content?hash=H: a template tar the target lacks.</summary>
    public Task<TemplateInfo> SendTemplateAsync(string name, string contentHash, Stream tar, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/templates/{Segment(name)}/content?hash={Segment(contentHash)}", Tar(tar),
            HakoJsonContext.Default.TemplateInfo, cancellationToken);

    /// <summary>PUT /v1/migrations/incoming/{name}/files: one pass as a tar, extracted into the private area and synced.</summary>
    public Task<ReceiveResult> SendFilesAsync(string name, Stream tar, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/migrations/incoming/{Segment(name)}/files", Tar(tar),
            HakoJsonContext.Default.ReceiveResult, cancellationToken);

    /// <summary>POST /v1/migrations/incoming/{name}/delete: paths removed on the source since the last pass.</summary>
    public Task<ReceiveResult> DeletePathsAsync(string name, DeletePathsRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/migrations/incoming/{Segment(name)}/delete", request,
            HakoJsonContext.Default.DeletePathsRequest, HakoJsonContext.Default.ReceiveResult, cancellationToken);

    /// <summary>POST /v1/migrations/incoming/{name}/commit: the container becomes a normal one here (started if asked).</summary>
    public Task<ContainerInfo> CommitIncomingAsync(string name, CommitIncomingRequest request, CancellationToken cancellationToken = default) =>
        SendJsonAsync(HttpMethod.Post, $"v1/migrations/incoming/{Segment(name)}/commit", request,
            HakoJsonContext.Default.CommitIncomingRequest, HakoJsonContext.Default.ContainerInfo, cancellationToken);

    /// <summary>DELETE /v1/migrations/incoming/{name}: drops a half-received container; a committed one is kept.</summary>
    public Task AbortIncomingAsync(string name, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Delete, $"v1/migrations/incoming/{Segment(name)}", cancellationToken);

    /// <summary>PUT /v1/migrations/incoming/{name}/handover: the container's usage history, after the switch.</summary>
    public Task HandOverAsync(string name, MigrationHandOver handOver, CancellationToken cancellationToken = default) =>
        SendNoContentAsync(HttpMethod.Put, $"v1/migrations/incoming/{Segment(name)}/handover", cancellationToken,
            JsonContent.Create(handOver, HakoJsonContext.Default.MigrationHandOver, JsonMediaType));

    private static StreamContent Tar(Stream tar)
    {
        var content = new StreamContent(tar, 1 << 20);
        content.Headers.ContentType = TarMediaType;
        return content;
    }
}
