using Hako.Contracts;
using Hako.Daemon.Containers;

namespace Hako.Daemon.Api;

public static class NodeApi
{
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/node", async (ContainerService svc, Beancounters.BeancounterService ubc, Network.PortFilterService filter, Tls.NodeIdentity identity, CancellationToken ct) =>
            Results.Json(svc.Node() with
            {
                BeancounterSweepMilliseconds = ubc.SweepMilliseconds,
                TlsFingerprint = identity.Fingerprint,
                AntiSpoof = await filter.StatusAsync(ct),
            },
                HakoJsonContext.Default.NodeInfo)).WithTags("node");
        return app;
    }
}
