using Hako.Contracts;
using Hako.Daemon.Containers;

namespace Hako.Daemon.Api;

public static class NodeApi
{
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/node", (ContainerService svc, Beancounters.BeancounterService ubc) =>
            Results.Json(svc.Node() with { BeancounterSweepMilliseconds = ubc.SweepMilliseconds }, HakoJsonContext.Default.NodeInfo)).WithTags("node");
        return app;
    }
}
