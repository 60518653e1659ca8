using System.Collections.Immutable;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>RegisterImage, DeregisterImage, DescribeImageAttribute, ModifyImageAttribute, ResetImageAttribute.</summary>
internal static class ImageRegistrationActions
{
    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "RegisterImage",
            new ParameterSchema("ImageLocation", "Name", "Description", "Architecture"),
            RegisterImageAsync);
        yield return new Ec2Action("DeregisterImage", new ParameterSchema("ImageId"), DeregisterImageAsync);
        yield return new Ec2Action("DescribeImageAttribute", new ParameterSchema("ImageId", "Attribute"), DescribeImageAttributeAsync);
        yield return new Ec2Action(
            "ModifyImageAttribute",
            new ParameterSchema(
                "ImageId", "Attribute", "OperationType", "UserId.N", "UserGroup.N", "Value", "Description.Value",
                "LaunchPermission.Add.N.UserId", "LaunchPermission.Add.N.Group",
                "LaunchPermission.Remove.N.UserId", "LaunchPermission.Remove.N.Group"),
            ModifyImageAttributeAsync);
        yield return new Ec2Action("ResetImageAttribute", new ParameterSchema("ImageId", "Attribute"), ResetImageAttributeAsync);
    }

    private static async Task<Ec2Body> RegisterImageAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var location = p.Require("ImageLocation");
        var name = p.Require("Name");
        var description = p.Get("Description");
        var architecture = p.Get("Architecture");
        if (!TextRules.IsXmlSafe(name) || (description is not null && !TextRules.IsXmlSafe(description)))
        {
            throw QueryParameters.Invalid("The name and description of an image may not contain control characters.");
        }

        context.ThrowIfDryRun();

        var image = await context.Grains.GetGrain<IImageGrain>(Ec2Ids.NewImageId())
            .RegisterAsync(new RegisterImageRequest(context.Caller, location, name, description, string.IsNullOrEmpty(architecture) ? null : architecture));
        return Ec2Body.From(new Ec2XmlWriter(128).Element("imageId", image.ImageId));
    }

    private static async Task<Ec2Body> DeregisterImageAsync(Ec2ActionContext context)
    {
        var image = Image(context);
        await ThrowIfDryRunAsync(context, image);
        await image.DeregisterAsync(context.Caller);
        return Ec2Body.ReturnTrue;
    }

    private static async Task<Ec2Body> DescribeImageAttributeAsync(Ec2ActionContext context)
    {
        var image = Image(context);
        var name = context.Parameters.Require("Attribute");
        if (!ImageAttributeNames.TryParse(name, out var attribute))
        {
            throw QueryParameters.Invalid(
                $"Value ({name}) for parameter attribute is invalid. Supported attributes: {string.Join(", ", Enum.GetValues<ImageAttributeName>().Select(a => a.ToEc2Name()))}.");
        }

        context.ThrowIfDryRun();
        var attributes = await image.DescribeAttributesAsync(context.Caller, attribute);
        var xml = new Ec2XmlWriter(512).Element("imageId", attributes.ImageId);
        switch (attribute)
        {
            case ImageAttributeName.LaunchPermission:
                LaunchPermissionSet(xml, attributes.LaunchPermissions!);
                break;
            case ImageAttributeName.Description:
                AttributeValue(xml, "description", attributes.Description);
                break;
            case ImageAttributeName.Kernel:
                AttributeValue(xml, "kernel", attributes.KernelId);
                break;
            case ImageAttributeName.Ramdisk:
                AttributeValue(xml, "ramdisk", attributes.RamdiskId);
                break;
            case ImageAttributeName.ProductCodes:
                xml.Start("productCodes");
                foreach (var code in attributes.ProductCodes.OrEmpty())
                {
                    xml.Start("item").Element("productCode", code).Element("type", "devpay").End("item");
                }

                xml.End("productCodes");
                break;
            case ImageAttributeName.BlockDeviceMapping:
                xml.Start("blockDeviceMapping");
                foreach (var mapping in attributes.BlockDeviceMappings.OrEmpty())
                {
                    xml.Start("item").Element("deviceName", mapping.DeviceName).Element("virtualName", mapping.VirtualName).End("item");
                }

                xml.End("blockDeviceMapping");
                break;
        }

        return Ec2Body.From(xml);
    }

    private static async Task<Ec2Body> ModifyImageAttributeAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var image = Image(context);
        var attribute = p.Get("Attribute");
        if (attribute is not (null or "launchPermission" or "description"))
        {
            throw QueryParameters.Invalid($"Value ({attribute}) for parameter attribute is invalid. ModifyImageAttribute changes launchPermission or description.");
        }

        var description = p.Get("Description.Value") ?? (attribute == "description" ? p.Get("Value") : null);
        var permission = LaunchPermissionChange(p);
        if (description is not null && permission is not null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterCombination, "Only one attribute can be modified at a time: the description or the launch permission.");
        }

        if (description is null && permission is null)
        {
            throw attribute == "description" ? QueryParameters.Missing("Description.Value") : QueryParameters.Missing("LaunchPermission");
        }

        if (description is not null && !TextRules.IsXmlSafe(description))
        {
            throw QueryParameters.Invalid("The description of an image may not contain control characters.");
        }

        await ThrowIfDryRunAsync(context, image);
        if (description is not null)
        {
            await image.ModifyDescriptionAsync(context.Caller, description);
        }
        else
        {
            await image.ModifyLaunchPermissionAsync(context.Caller, permission!);
        }

        return Ec2Body.ReturnTrue;
    }

    private static async Task<Ec2Body> ResetImageAttributeAsync(Ec2ActionContext context)
    {
        var image = Image(context);
        var attribute = context.Parameters.Require("Attribute");
        if (attribute != "launchPermission")
        {
            throw QueryParameters.Invalid($"Value ({attribute}) for parameter attribute is invalid. Only launchPermission can be reset.");
        }

        await ThrowIfDryRunAsync(context, image);
        await image.ResetLaunchPermissionAsync(context.Caller);
        return Ec2Body.ReturnTrue;
    }

    /// <summary>
    /// The launch permission change a request asks for, in either of EC2's spellings: <c>LaunchPermission.Add.N.UserId</c>
    /// / <c>.Group</c> and <c>LaunchPermission.Remove.N…</c>, or the older <c>OperationType</c> with <c>UserId.N</c> and
    /// <c>UserGroup.N</c>. Null when the request asks for none.
    /// </summary>
    private static LaunchPermissionModification? LaunchPermissionChange(QueryParameters p)
    {
        var addUsers = new List<string>();
        var removeUsers = new List<string>();
        var addAll = false;
        var removeAll = false;
        var any = false;
        foreach (var (prefix, users, isAdd) in new[] { ("LaunchPermission.Add", addUsers, true), ("LaunchPermission.Remove", removeUsers, false) })
        {
            foreach (var index in p.GetGroupIndexes(prefix))
            {
                any = true;
                var userId = p.Get($"{prefix}.{index}.UserId");
                var group = p.Get($"{prefix}.{index}.Group");
                if (userId is not null)
                {
                    users.Add(userId);
                }

                if (group is not null)
                {
                    CheckGroup(group);
                    addAll |= isAdd;
                    removeAll |= !isAdd;
                }
            }
        }

        var userIds = p.GetList("UserId");
        var groups = p.GetList("UserGroup");
        var operation = p.Get("OperationType");
        if (userIds.Length > 0 || groups.Length > 0)
        {
            any = true;
            if (string.IsNullOrEmpty(operation))
            {
                throw QueryParameters.Missing("OperationType");
            }

            if (operation is not ("add" or "remove"))
            {
                throw QueryParameters.Invalid($"Value ({operation}) for parameter operationType is invalid. Valid values: add, remove.");
            }

            (operation == "add" ? addUsers : removeUsers).AddRange(userIds);
            foreach (var group in groups)
            {
                CheckGroup(group);
                addAll |= operation == "add";
                removeAll |= operation == "remove";
            }
        }

        return any ? new LaunchPermissionModification([.. addUsers], addAll, [.. removeUsers], removeAll) : null;
    }

    private static void CheckGroup(string group)
    {
        if (group != "all")
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidAmiAttributeItemValue, $"Invalid attribute item value ({group}) for group item type: the only group is 'all'.");
        }
    }

    private static IImageGrain Image(Ec2ActionContext context)
    {
        var imageId = context.Parameters.Require("ImageId");
        Ec2Ids.EnsureImageId(imageId);
        return context.Grains.GetGrain<IImageGrain>(imageId);
    }

    /// <summary>A dry run of a change: <c>UnauthorizedOperation</c> for an image the caller sees but does not own.</summary>
    private static async Task ThrowIfDryRunAsync(Ec2ActionContext context, IImageGrain image)
    {
        if (!context.DryRun)
        {
            return;
        }

        var described = await image.DescribeAsync(context.Caller);
        if (described.OwnerId != context.AccountId)
        {
            throw Ec2Errors.Unauthorized();
        }

        context.ThrowIfDryRun();
    }

    private static void LaunchPermissionSet(Ec2XmlWriter xml, ImageLaunchPermissions permissions)
    {
        xml.Start("launchPermission");
        if (permissions.IsPublic)
        {
            xml.Start("item").Element("group", "all").End("item");
        }

        foreach (var userId in permissions.UserIds.OrEmpty())
        {
            xml.Start("item").Element("userId", userId).End("item");
        }

        xml.End("launchPermission");
    }

    private static void AttributeValue(Ec2XmlWriter xml, string element, string? value)
    {
        if (value is null)
        {
            xml.Empty(element);
            return;
        }

        xml.Start(element).Element("value", value).End(element);
    }
}
