using System.Text.Json;
using System.Text.Json.Serialization;
using Hako.Core.Resources;

namespace Hako.State;

/// <summary>JSON columns of the store (plan flags), source-generated.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlanFlags))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
