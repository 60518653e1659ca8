namespace OrleansEc2.Grains.Blobs;

/// <summary>
/// A grain records a blob reference before persisting the state that needs it, and drops one after persisting the
/// state that no longer does: a crash between the two leaves a reference its state does not name, which would keep the
/// blob forever. On activation, before any request, the persisted state is the truth, and this drops the rest.
/// </summary>
internal static class StaleReferences
{
    /// <summary>
    /// Drops every reference whose holder begins with one of <paramref name="holderPrefixes"/> and is not in
    /// <paramref name="needed"/>; the references dropped.
    /// </summary>
    public static async Task<IReadOnlyList<BlobReference>> DropStaleReferencesAsync(
        this IBlobStore blobs,
        IEnumerable<string> holderPrefixes,
        IReadOnlySet<BlobReference> needed)
    {
        var stale = new List<BlobReference>();
        foreach (var prefix in holderPrefixes)
        {
            stale.AddRange((await blobs.ListReferencesAsync(prefix)).Where(r => !needed.Contains(r)));
        }

        foreach (var reference in stale)
        {
            await blobs.RemoveReferenceAsync(reference.Hash, reference.Holder);
        }

        return stale;
    }
}
