using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.FrontDoor;

namespace OrleansEc2.Api.View;

/// <summary>
/// The live web view (<c>/_sim/view</c>): one page that polls <c>/_sim/view/state</c> every second and draws every
/// account's instances, bundle tasks with their progress, buckets and images, region by region. Read-only and
/// unauthenticated, like the dashboard: it is a window on a local simulator for demos.
/// </summary>
internal sealed class WebView(IGrainFactory grains, ConfiguredRegions regions, ConfiguredAccounts accounts, ISimulationClock clock)
{
    public const string PagePath = "/_sim/view";
    public const string StatePath = "/_sim/view/state";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly Lazy<byte[]> Page = new(LoadPage);

    public Task PageAsync(HttpContext context)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.Body.WriteAsync(Page.Value).AsTask();
    }

    public async Task StateAsync(HttpContext context)
    {
        var state = await SnapshotAsync();
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, state, Json, context.RequestAborted);
    }

    /// <summary>Everything the page shows, read from the account-region indexes and the account bucket lists.</summary>
    public async Task<ViewState> SnapshotAsync()
    {
        var regionList = await regions.GetRegionsAsync();
        var accountViews = new List<AccountView>();
        foreach (var accountId in accounts.AccountIds)
        {
            var buckets = await grains.GetGrain<IAccountBucketsGrain>(accountId).ListAsync();
            var regionViews = new List<AccountRegionView>();
            foreach (var region in regionList)
            {
                var index = grains.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(accountId, region.RegionName));
                var instances = await index.DescribeInstancesAsync(new InstanceQuery([], [], null, null));
                var tasks = await index.DescribeBundleTasksAsync([], []);
                var images = await index.DescribeImagesAsync(new ImageQuery([], ["self"], [], []));
                regionViews.Add(new AccountRegionView(
                    region.RegionName,
                    [.. instances.Instances.Select(i => new InstanceView(
                        i.InstanceId,
                        i.ImageId,
                        i.State.ToEc2Name(),
                        i.Platform == Platform.Windows ? "windows" : "linux",
                        i.InstanceType,
                        i.AvailabilityZone,
                        i.ComputerName,
                        i.PrivateIpAddress,
                        i.LaunchTime,
                        i.Tags.FirstOrDefault(t => t.Key == "Name")?.Value))],
                    [.. tasks.Select(t => new BundleTaskView(
                        t.BundleId,
                        t.InstanceId,
                        t.Bucket,
                        t.Prefix,
                        t.State.ToEc2Name(),
                        t.Progress,
                        t.StartTime,
                        t.UpdateTime,
                        t.Error?.Code,
                        t.Error?.Message))],
                    [.. images.Select(i => new ImageView(i.ImageId, i.Name, i.State.ToEc2Name(), i.ImageLocation, i.Platform == Platform.Windows ? "windows" : "linux", i.IsPublic))]));
            }

            accountViews.Add(new AccountView(
                accountId,
                [.. buckets.Select(b => new BucketView(b.Name, b.Region, b.CreationDate))],
                [.. regionViews]));
        }

        return new ViewState(clock.UtcNow, clock.IsSimulated, [.. regionList.Select(r => new RegionView(r.RegionName, r.LegacyLocation, r.AvailabilityZones))], [.. accountViews]);
    }

    private static byte[] LoadPage()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("OrleansEc2.Api.View.index.html")
            ?? throw new InvalidOperationException("The web view page is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

internal sealed record ViewState(DateTimeOffset Now, bool ClockSimulated, IReadOnlyList<RegionView> Regions, IReadOnlyList<AccountView> Accounts);

internal sealed record RegionView(string Name, string Location, IReadOnlyList<string> Zones);

internal sealed record AccountView(string AccountId, IReadOnlyList<BucketView> Buckets, IReadOnlyList<AccountRegionView> Regions);

internal sealed record AccountRegionView(string Region, IReadOnlyList<InstanceView> Instances, IReadOnlyList<BundleTaskView> BundleTasks, IReadOnlyList<ImageView> Images);

internal sealed record InstanceView(string InstanceId, string ImageId, string State, string Platform, string InstanceType, string Zone, string? ComputerName, string PrivateIp, DateTimeOffset LaunchTime, string? Name);

internal sealed record BundleTaskView(string BundleId, string InstanceId, string Bucket, string Prefix, string State, int Progress, DateTimeOffset StartTime, DateTimeOffset UpdateTime, string? ErrorCode, string? ErrorMessage);

internal sealed record ImageView(string ImageId, string Name, string State, string Location, string Platform, bool IsPublic);

internal sealed record BucketView(string Name, string Region, DateTimeOffset CreationDate);
