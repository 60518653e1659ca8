namespace OrleansEc2.Api.S3;

/// <summary>
/// Tag sets: an object's — GetObjectTagging, PutObjectTagging, DeleteObjectTagging (<c>?tagging</c> on the key) — and a
/// bucket's — GetBucketTagging, PutBucketTagging, DeleteBucketTagging (<c>?tagging</c> on the bucket).
/// </summary>
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

    /// <summary>The bucket's tag set; 404 <c>NoSuchTagSet</c> when it has none (never set, deleted, or set empty).</summary>
    private async Task GetBucketTaggingAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var tags = await BucketGrain(request).GetBucketTaggingAsync(request.AccountId);
        await S3Xml.WriteAsync(request.Response, S3Tagging.Document(tags));
    }

    /// <summary>
    /// Replaces the bucket's whole tag set with the document's (S3's rules for buckets: 50 tags); 204 without a body. S3
    /// requires the body's Content-MD5 or an <c>x-amz-checksum-*</c> here, as for DeleteObjects.
    /// </summary>
    private async Task PutBucketTaggingAsync(S3RequestContext request)
    {
        var bucket = BucketGrain(request);

        // Another account is refused before its document is read, as S3 authorizes before it parses.
        await bucket.GetInfoAsync(request.AccountId);
        if (!Payload.PayloadExpectations.FromHeaders(request.Request, request.Caller.PayloadMode).HasIntegrityCheck)
        {
            throw S3Errors.InvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        }

        var tags = S3Tagging.FromDocument(await request.ReadSmallBodyAsync(), TagSetOwner.Bucket);
        await bucket.PutBucketTaggingAsync(request.AccountId, tags);
        request.Response.StatusCode = 204;
    }

    private async Task DeleteBucketTaggingAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        await BucketGrain(request).PutBucketTaggingAsync(request.AccountId, []);
        request.Response.StatusCode = 204;
    }
}
