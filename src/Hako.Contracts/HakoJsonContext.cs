using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hako.Contracts;

/// <summary>Source-generated JSON for every wire type, shared by hakod, the client and the CLI.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(CreateContainerRequest))]
[JsonSerializable(typeof(UpdateContainerRequest))]
[JsonSerializable(typeof(ContainerInfo))]
[JsonSerializable(typeof(List<ContainerInfo>))]
[JsonSerializable(typeof(ExecRequest))]
[JsonSerializable(typeof(ExecResult))]
[JsonSerializable(typeof(StopRequest))]
[JsonSerializable(typeof(TemplateInfo))]
[JsonSerializable(typeof(List<TemplateInfo>))]
[JsonSerializable(typeof(BuildTemplateRequest))]
[JsonSerializable(typeof(ImportTemplateRequest))]
[JsonSerializable(typeof(OperationInfo))]
[JsonSerializable(typeof(List<OperationInfo>))]
[JsonSerializable(typeof(ProblemInfo))]
[JsonSerializable(typeof(NodeInfo))]
[JsonSerializable(typeof(PlanInfo))]
[JsonSerializable(typeof(List<PlanInfo>))]
[JsonSerializable(typeof(CreatePlanRequest))]
[JsonSerializable(typeof(SplitPlanRequest))]
[JsonSerializable(typeof(BeancounterReport))]
[JsonSerializable(typeof(List<BeancounterReport>))]
[JsonSerializable(typeof(ValidationReport))]
[JsonSerializable(typeof(AddNodeRequest))]
[JsonSerializable(typeof(PeerNodeInfo))]
[JsonSerializable(typeof(List<PeerNodeInfo>))]
[JsonSerializable(typeof(MigrateRequest))]
[JsonSerializable(typeof(MigrationInfo))]
[JsonSerializable(typeof(Dictionary<string, double>))]
[JsonSerializable(typeof(EvacuateRequest))]
[JsonSerializable(typeof(EvacuationInfo))]
[JsonSerializable(typeof(IncomingContainer))]
[JsonSerializable(typeof(IncomingCheckResult))]
[JsonSerializable(typeof(DeletePathsRequest))]
[JsonSerializable(typeof(ReceiveResult))]
[JsonSerializable(typeof(CommitIncomingRequest))]
public sealed partial class HakoJsonContext : JsonSerializerContext;
