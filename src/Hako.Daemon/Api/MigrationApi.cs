using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Containers;
using Hako.Daemon.Migration;
using Hako.Daemon.Operations;
using Hako.Runtime.Migration;
using Hako.Runtime.Templates;
using Microsoft.AspNetCore.Http.Features;

namespace Hako.Daemon.Api;

/// <summary>
/// hako migrate (POST /v1/containers/{name}/migrate, on the source) and the target's side of a migration,
/// called by the source hakod over TCP with the target's token: check, prepare, template and file streams
/// (tar bodies), deletions, commit, abort.
/// </summary>
public static class MigrationApi
{
    public static IEndpointRouteBuilder MapMigrationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/containers/{name}/migrate", (string name, MigrateRequest req, MigrationService migration, ContainerService svc, OperationManager ops) =>
        {
            migration.Validate(name, req);
            var lease = svc.Locks.Acquire(name, "migrate");
            return ContainersApi.Accepted(ops.Start("container.migrate", name, async op =>
            {
                using (lease)
                {
                    await migration.MigrateAsync(name, req, info => Publish(op, info));
                }
            }));
        }).WithTags("containers");

        var g = app.MapGroup("/v1/migrations/incoming").WithTags("migrations");

        g.MapPost("/check", async (IncomingContainer c, ContainerService svc, CriuProbe criu) =>
        {
            var (_, needTemplate, warnings) = svc.AdmitIncoming(c, reserve: false);
            return Results.Json(await CheckResult(svc, criu, needTemplate, warnings), HakoJsonContext.Default.IncomingCheckResult);
        });

        g.MapPost("/", async (IncomingContainer c, ContainerService svc, CriuProbe criu, CancellationToken ct) =>
        {
            var (record, needTemplate, warnings) = svc.AdmitIncoming(c, reserve: true);
            if (needTemplate)
            {
                svc.AbortReservation(record.Name);
                throw HakoException.Conflict($"Template {c.Template} is missing on this node; send it first (PUT /v1/templates/{c.Template}/content)");
            }

            await svc.PrepareIncomingAsync(record, ct);
            return Results.Json(await CheckResult(svc, criu, false, warnings), HakoJsonContext.Default.IncomingCheckResult);
        });

        g.MapPut("/{name}/files", async (string name, HttpContext http, ContainerService svc, CancellationToken ct) =>
        {
            Unlimited(http);
            return await Receiving(http, async () => Results.Json(new ReceiveResult
            {
                Bytes = await svc.ReceiveFilesAsync(name, http.Request.Body, http.Request.ContentLength, ct),
            }, HakoJsonContext.Default.ReceiveResult));
        });

        g.MapPost("/{name}/delete", (string name, DeletePathsRequest req, ContainerService svc) =>
            Results.Json(new ReceiveResult { Bytes = svc.DeletePaths(name, req.Paths) }, HakoJsonContext.Default.ReceiveResult));

        g.MapPost("/{name}/commit", async (string name, CommitIncomingRequest req, ContainerService svc, CancellationToken ct) =>
            Results.Json(await svc.CommitIncomingAsync(name, req.Start, ct), HakoJsonContext.Default.ContainerInfo));

        // After the switch: the container's usage history, and its "migrated" event here.
        g.MapPut("/{name}/handover", (string name, MigrationHandOver h, ContainerService svc, Usage.UsageTransfers usage, Events.EventLog events) =>
        {
            svc.Record(name);
            var rows = usage.Import(name, h.History);
            events.Publish(EventType.Migrated, name, $"arrived from {h.SourceNode} with {rows} rows of usage history");
            return Results.NoContent();
        });

        g.MapDelete("/{name}", async (string name, ContainerService svc) =>
        {
            await svc.AbortIncomingAsync(name);
            return Results.NoContent();
        });

        app.MapPut("/v1/templates/{name}/content", async (string name, string hash, HttpContext http, TemplateStore templates, CancellationToken ct) =>
        {
            Unlimited(http);
            return await Receiving(http, async () => Results.Json(
                (await templates.ReceiveAsync(name, hash, http.Request.Body, ct, http.Request.ContentLength)).ToInfo(), HakoJsonContext.Default.TemplateInfo));
        }).WithTags("templates");
        return app;
    }

    private static async Task<IncomingCheckResult> CheckResult(ContainerService svc, CriuProbe criu, bool needTemplate, IReadOnlyList<string> warnings)
    {
        var status = await criu.StatusAsync();
        return new IncomingCheckResult
        {
            NodeName = svc.Node().NodeName, NeedTemplate = needTemplate, CriuUsable = status.Usable, CriuProblem = status.Problem, Warnings = warnings,
        };
    }

    /// <summary>
    /// A pass can be gigabytes: Kestrel's 30 MB request body limit is lifted for the streaming endpoints, whose
    /// bodies are capped by what they are for instead (template: --max-template-size; files: the container's
    /// quota plus metadata) and by the free space, checked before anything is written.
    /// </summary>
    private static void Unlimited(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    /// <summary>
    /// A refused upload answers (problem+json) and its connection is not reused. Kestrel then reads and drops
    /// what is left of the body for a few seconds (so a source sending a finite pass gets the answer, e.g. 507
    /// with the figures) and closes: an endless body costs seconds of reading, no disk and no memory.
    /// </summary>
    private static async Task<IResult> Receiving(HttpContext http, Func<Task<IResult>> receive)
    {
        try
        {
            return await receive();
        }
        catch when (!http.Response.HasStarted)
        {
            http.Response.Headers.Connection = "close";
            throw;
        }
    }

    private static void Publish(Operation op, MigrationInfo info)
    {
        op.Migration = info;
        var percent = info.Phase switch
        {
            "checking" => 2,
            "template" => 5,
            "stopping" => 10,
            "copying" or "final-copy" when info.ContainerBytes > 0 => 10 + (int)Math.Min(75, info.BytesSent * 75 / Math.Max(1, info.ContainerBytes + info.TemplateBytes)),
            "copying" => 10,
            "freezing" or "final-copy" => 85,
            "switching" => 90,
            "cleanup" => 97,
            "done" => 100,
            _ => op.Progress,
        };
        op.Report(percent, $"{info.Phase}{(info.Pass > 0 ? $" pass {info.Pass}" : "")}, {Core.Units.Size.Format(info.BytesSent)} sent");
    }
}
