using Hako.Contracts;

namespace Hako.Client;

public sealed partial class HakoClient
{
    /// <summary>GET /v1/node: capacity, committed and used resources of this node.</summary>
    public Task<NodeInfo> GetNodeAsync(CancellationToken cancellationToken = default) =>
        GetAsync("v1/node", HakoJsonContext.Default.NodeInfo, cancellationToken);
}
