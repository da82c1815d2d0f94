using Hako.Contracts;
using Hako.Daemon.Containers;

namespace Hako.Daemon.Api;

public static class NodeApi
{
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/node", (ContainerService svc, Beancounters.BeancounterService ubc, Tls.NodeIdentity identity) =>
            Results.Json(svc.Node() with { BeancounterSweepMilliseconds = ubc.SweepMilliseconds, TlsFingerprint = identity.Fingerprint },
                HakoJsonContext.Default.NodeInfo)).WithTags("node");
        return app;
    }
}
