using Hako.Client;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Daemon.Api;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Client;

/// <summary>
/// The typed client the CLI uses, against a real hakod: the wire types, the operation polling and the
/// error mapping must agree on both sides (the other integration tests use their own HttpClient).
/// </summary>
public sealed class HakoClientAgainstHakodTests
{
    [Fact]
    public void EveryErrorCode_SurvivesTheTripThroughProblemJson_AndItsStatusMapsBackToACodeWithTheSameStatus()
    {
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            var problem = Problems.From(new HakoException(code, $"{code} happened", ["one detail"]));
            var e = HakoApiException.FromProblem(problem);
            Assert.Equal(code.ToString(), e.Code);
            Assert.Equal(Problems.StatusFor(code), e.Status);
            Assert.Equal(["one detail"], e.Errors);

            // A body that is not problem+json (a proxy in between) still gives a code with the same status.
            var fallback = Enum.Parse<ErrorCode>(HakoApiException.CodeForStatus(Problems.StatusFor(code)));
            Assert.Equal(Problems.StatusFor(code), Problems.StatusFor(fallback));
        }
    }

    [Fact]
    public void OnlyInternalAndUnsupported_AreServerErrors_ARefusalOfTheClientsRequestIsA4xx()
    {
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            var status = Problems.StatusFor(code);
            Assert.True(code is ErrorCode.Internal or ErrorCode.Unsupported ? status >= 500 : status is >= 400 and < 500,
                $"{code} answers {status}");
        }
    }

    [SkippableFact]
    public async Task TypedClient_CreatesShowsExecsAndDestroys_AndGetsTheStableCodeOfEachRefusal()
    {
        Skip.IfNot(HakodNode.CanRun(out var why), why);
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        using var client = new HakoClient(HakoEndpoint.ForSocket(node.Socket));

        var info = await client.GetNodeAsync();
        Assert.Equal(node.NodeName, info.NodeName);

        var created = await client.WaitAsync((await client.CreateContainerAsync(new CreateContainerRequest
        {
            Name = "tc1", Template = "busybox", Memory = "64M", Disk = "128M", Network = "none", Start = true,
        })).Id, TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", created.Status);
        var shown = await client.GetContainerAsync("tc1");
        Assert.Equal("running", shown.State);
        Assert.Equal(64L << 20, shown.Limits.MemoryBytes);
        Assert.Contains(await client.ListContainersAsync(), c => c.Name == "tc1");
        var exec = await client.ExecAsync("tc1", new ExecRequest { Command = ["hostname"] });
        Assert.Equal("tc1", exec.Stdout.Trim());

        var missing = await Assert.ThrowsAsync<HakoApiException>(() => client.GetContainerAsync("nosuch"));
        Assert.Equal((nameof(ErrorCode.NotFound), 404), (missing.Code, missing.Status));
        var taken = await Assert.ThrowsAsync<HakoApiException>(() =>
            client.CreateContainerAsync(new CreateContainerRequest { Name = "tc1", Template = "busybox", Network = "none" }));
        Assert.Equal(nameof(ErrorCode.AlreadyExists), taken.Code);
        var bad = await Assert.ThrowsAsync<HakoApiException>(() =>
            client.CreateContainerAsync(new CreateContainerRequest { Name = "tc2", Template = "busybox", Memory = "lots" }));
        Assert.Equal((nameof(ErrorCode.InvalidArgument), 400), (bad.Code, bad.Status));
        var huge = await Assert.ThrowsAsync<HakoApiException>(() =>
            client.CreateContainerAsync(new CreateContainerRequest { Name = "tc3", Template = "busybox", Memory = "64T", Network = "none" }));
        Assert.True(huge.Status is >= 400 and < 500, $"a create larger than the node answered {huge.Status} {huge.Code}");

        var destroyed = await client.WaitAsync((await client.DeleteContainerAsync("tc1", force: true)).Id, TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", destroyed.Status);
        Assert.DoesNotContain(await client.ListContainersAsync(), c => c.Name == "tc1");
    }
}
