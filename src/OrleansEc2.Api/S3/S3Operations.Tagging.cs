namespace OrleansEc2.Api.S3;

/// <summary>An object's tag set: GetObjectTagging, PutObjectTagging, DeleteObjectTagging (<c>?tagging</c> on the key).</summary>
internal sealed partial class S3Operations
{
    private async Task GetObjectTaggingAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        RefuseVersionId(request.Query.Get("versionId"));
        var info = await BucketGrain(request).GetObjectAsync(request.AccountId, request.Key);
        await S3Xml.WriteAsync(request.Response, S3Tagging.Document(info.Tags));
    }

    /// <summary>Replaces the object's tag set with the document's (an empty <c>TagSet</c> removes them); 200 without a body.</summary>
    private async Task PutObjectTaggingAsync(S3RequestContext request)
    {
        RefuseVersionId(request.Query.Get("versionId"));
        var bucket = BucketGrain(request);

        // Another account is refused before its document is read, as S3 authorizes before it parses.
        await bucket.GetInfoAsync(request.AccountId);
        var tags = S3Tagging.FromDocument(await request.ReadSmallBodyAsync());
        await bucket.PutObjectTaggingAsync(request.AccountId, request.Key, tags);
        request.Response.StatusCode = 200;
        request.Response.ContentLength = 0;
    }

    private async Task DeleteObjectTaggingAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        RefuseVersionId(request.Query.Get("versionId"));
        await BucketGrain(request).PutObjectTaggingAsync(request.AccountId, request.Key, []);
        request.Response.StatusCode = 204;
    }
}
