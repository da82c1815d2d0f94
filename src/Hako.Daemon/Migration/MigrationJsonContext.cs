using System.Text.Json;
using System.Text.Json.Serialization;
using Hako.Core.Resources;

namespace Hako.Daemon.Migration;

/// <summary>A container's overrides (PlanFlags, as the store keeps them) travel to the target as this JSON.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlanFlags))]
[JsonSerializable(typeof(MigrationJournal.Entry))]
internal sealed partial class MigrationJsonContext : JsonSerializerContext;
