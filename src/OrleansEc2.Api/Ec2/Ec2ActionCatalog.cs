using OrleansEc2.Api.Ec2.Actions;

namespace OrleansEc2.Api.Ec2;

/// <summary>Every action of the Query API the simulator serves, by name.</summary>
internal static class Ec2ActionCatalog
{
    public static Dictionary<string, Ec2Action> Build()
    {
        var actions = new Dictionary<string, Ec2Action>(StringComparer.Ordinal);
        foreach (var action in RegionActions.All()
            .Concat(ImageActions.All())
            .Concat(CopyImageActions.All())
            .Concat(ImageRegistrationActions.All())
            .Concat(InstanceActions.All())
            .Concat(KeyPairActions.All())
            .Concat(SecurityGroupActions.All())
            .Concat(TagActions.All())
            .Concat(BundleTaskActions.All()))
        {
            actions.Add(action.Name, action);
        }

        return actions;
    }
}
