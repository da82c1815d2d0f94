using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Operations;
using Hako.Runtime.Templates;
using Hako.State;

namespace Hako.Daemon.Api;

public static class TemplatesApi
{
    public static RouteGroupBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/v1/templates").WithTags("templates");

        g.MapGet("/", (TemplateStore templates, IStateStore store) =>
        {
            var users = Users(store);
            return Results.Json(templates.List().Select(t => t.ToInfo(users[t.Name].ToList())).ToList(),
                HakoJsonContext.Default.ListTemplateInfo);
        });

        g.MapGet("/{name}", (string name, TemplateStore templates, IStateStore store) =>
        {
            var t = templates.Get(name) ?? throw HakoException.NotFound($"Template {name} does not exist; see hako template list");
            return Results.Json(t.ToInfo(Users(store)[name].ToList()), HakoJsonContext.Default.TemplateInfo);
        });

        g.MapPost("/build", (BuildTemplateRequest req, TemplateStore templates, OperationManager ops) =>
        {
            Func<Operation, Task> work = req.Name switch
            {
                "busybox" => op => templates.BuildBusyboxAsync(req.Name, Progress(op)),
                "debian-12" => op => templates.BuildDebootstrapAsync(req.Name, req.Mirror, Progress(op)),
                _ => throw HakoException.Invalid(
                    $"Hako can build 'busybox' (from busybox-static, offline) or 'debian-12' (debootstrap); import other OS templates with: hako template import {req.Name} FILE.tar.zst"),
            };
            CheckNew(templates, req.Name);
            return ContainersApi.Accepted(ops.Start("template.build", req.Name, work));
        });

        g.MapPost("/import", (ImportTemplateRequest req, TemplateStore templates, OperationManager ops) =>
        {
            CheckNew(templates, req.Name);
            if (!Path.IsPathRooted(req.Path) || !File.Exists(req.Path))
            {
                throw HakoException.Invalid($"Template file '{req.Path}' does not exist on the node; give an absolute path to a .tar.gz/.tar.xz/.tar.zst");
            }

            return ContainersApi.Accepted(ops.Start("template.import", req.Name, op => templates.ImportAsync(req.Name, req.Path, Progress(op))));
        });

        g.MapDelete("/{name}", (string name, TemplateStore templates, IStateStore store) =>
        {
            if (!templates.Exists(name))
            {
                throw HakoException.NotFound($"Template {name} does not exist; see hako template list");
            }

            var users = Users(store)[name].ToList();
            if (users.Count > 0)
            {
                throw HakoException.Conflict(
                    $"Template {name} is used by {users.Count} container(s): {string.Join(", ", users.Take(10))}; destroy them first");
            }

            templates.Remove(name);
            return Results.NoContent();
        });
        return g;
    }

    private static ILookup<string, string> Users(IStateStore store) =>
        store.ListContainers().ToLookup(c => c.Template, c => c.Name);

    private static void CheckNew(TemplateStore templates, string name)
    {
        if (Core.Validation.Names.CheckName(name, "Template name") is { } error)
        {
            throw HakoException.Invalid(error);
        }

        if (templates.Exists(name))
        {
            throw new HakoException(ErrorCode.AlreadyExists, $"Template {name} already exists; remove it first (hako template remove {name})");
        }
    }

    private static IProgress<(int Percent, string Step)> Progress(Operation op) =>
        new SyncProgress(p => op.Report(p.Percent, p.Step));

    /// <summary>Reports synchronously, unlike Progress&lt;T&gt; which posts to the thread pool out of order.</summary>
    private sealed class SyncProgress(Action<(int Percent, string Step)> report) : IProgress<(int Percent, string Step)>
    {
        public void Report((int Percent, string Step) value) => report(value);
    }
}
