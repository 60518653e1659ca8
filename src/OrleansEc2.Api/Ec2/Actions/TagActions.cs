using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>CreateTags, DeleteTags, DescribeTags.</summary>
internal static partial class TagActions
{
    private static readonly HashSet<string> TagFilters = ["key", "value", "resource-id", "resource-type"];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action("CreateTags", new ParameterSchema("ResourceId.N", "Tag.N.Key", "Tag.N.Value"), CreateTagsAsync);
        yield return new Ec2Action("DeleteTags", new ParameterSchema("ResourceId.N", "Tag.N.Key", "Tag.N.Value"), DeleteTagsAsync);
        yield return new Ec2Action(
            "DescribeTags",
            new ParameterSchema([.. ParameterSchema.Filters, "MaxResults", "NextToken"]),
            DescribeTagsAsync);
    }

    private static async Task<Ec2Body> CreateTagsAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var resources = ResourceIds(p);
        var tags = p.GetTags("Tag");
        if (tags.IsEmpty)
        {
            throw QueryParameters.Missing("Tag.1.Key");
        }

        if (context.DryRun)
        {
            await CheckResourcesAsync(context, resources);
            context.ThrowIfDryRun();
        }

        await context.AccountRegion.CreateTagsAsync(resources, tags);
        return Ec2Body.ReturnTrue;
    }

    private static async Task<Ec2Body> DeleteTagsAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var resources = ResourceIds(p);
        var removals = ImmutableArray.CreateBuilder<TagRemoval>();
        foreach (var index in p.GetGroupIndexes("Tag"))
        {
            var keyParameter = $"Tag.{index}.Key";
            var key = p.Get(keyParameter);
            if (string.IsNullOrEmpty(key))
            {
                throw QueryParameters.Missing(keyParameter);
            }

            var value = p.Get($"Tag.{index}.Value");
            TagRules.Validate(key, value ?? "");
            removals.Add(new TagRemoval(key, value));
        }

        if (context.DryRun)
        {
            await CheckResourcesAsync(context, resources);
            context.ThrowIfDryRun();
        }

        await context.AccountRegion.DeleteTagsAsync(resources, removals.ToImmutable());
        return Ec2Body.ReturnTrue;
    }

    private static async Task<Ec2Body> DescribeTagsAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var filters = p.GetFilters(name => TagFilters.Contains(name) || (name.StartsWith("tag:", StringComparison.Ordinal) && name.Length > 4));
        var maxResults = p.GetInt("MaxResults", 5, 1000);
        var nextToken = p.Get("NextToken") is { Length: > 0 } token ? token : null;
        context.ThrowIfDryRun();

        var tags = (await context.AccountRegion.DescribeTagsAsync(filters)).OrEmpty()
            .OrderBy(t => t.ResourceId, StringComparer.Ordinal)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToList();
        var (page, next) = OffsetPaging.Page(tags, maxResults, nextToken, "DescribeTags\n" + context.Caller.AccountRegionKey + "\n" + p.CanonicalText("Action", "Version", "DryRun", "NextToken", "MaxResults"));
        var xml = new Ec2XmlWriter(1024).Start("tagSet");
        foreach (var tag in page)
        {
            xml.Start("item")
                .Element("resourceId", tag.ResourceId)
                .Element("resourceType", tag.ResourceType)
                .Element("key", tag.Key)
                .Element("value", tag.Value)
                .End("item");
        }

        return Ec2Body.From(xml.End("tagSet").Element("nextToken", next));
    }

    private static ImmutableArray<string> ResourceIds(QueryParameters p)
    {
        var resources = p.GetList("ResourceId");
        if (resources.IsEmpty)
        {
            throw QueryParameters.Missing("ResourceId.1");
        }

        foreach (var id in resources)
        {
            if (!Ec2Ids.IsInstanceId(id) && !Ec2Ids.IsImageId(id) && !KeyPairIdPattern().IsMatch(id))
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidIdNotFound, $"The ID '{id}' is not valid");
            }
        }

        return [.. resources.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A dry run's check that every resource exists and is the caller's to tag.</summary>
    private static async Task CheckResourcesAsync(Ec2ActionContext context, ImmutableArray<string> resources)
    {
        foreach (var id in resources)
        {
            if (Ec2Ids.IsInstanceId(id))
            {
                try
                {
                    await context.Instance(id).DescribeAsync(context.AccountId);
                }
                catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidInstanceIdNotFound)
                {
                    if (await context.Services.BelongsToAnotherAccountAsync(id, context.AccountId))
                    {
                        throw Ec2Errors.Unauthorized();
                    }

                    throw;
                }
            }
            else if (Ec2Ids.IsImageId(id))
            {
                var image = await context.Services.DescribeImageAsync(id, context.Caller);
                if (image.OwnerId != context.AccountId)
                {
                    throw Ec2Errors.Unauthorized();
                }
            }
            else
            {
                try
                {
                    await context.AccountRegion.DescribeKeyPairsAsync([], [id]);
                }
                catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidKeyPairNotFound)
                {
                    if (await context.Services.KeyPairBelongsToAnotherAccountAsync(id, context.Caller))
                    {
                        throw Ec2Errors.Unauthorized();
                    }

                    throw;
                }
            }
        }
    }

    [GeneratedRegex("^key-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex KeyPairIdPattern();
}
