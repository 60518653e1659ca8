namespace OrleansEc2.Grains.Migrations;

/// <summary>One part to copy: its key in the source bucket and its key in the destination bucket.</summary>
internal sealed record MigrationPart(string SourceKey, string DestinationKey);

/// <summary>
/// A migration's persisted state. It holds what resuming needs and nothing secret: the re-sealed manifest is made when
/// the migration is accepted and kept as a blob (held by the migration until it finishes), so the user's private key
/// is never stored. The parts to copy are the re-sealed manifest's, under <see cref="SourceFolder"/> and
/// <see cref="DestinationFolder"/>, so the state stays small however many parts there are (it is written once a part).
/// </summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.MigrationRecord")]
public sealed class MigrationRecord
{
    [Id(0)]
    public MigrationDescription? Description { get; set; }

    /// <summary>False while StartAsync is still making its side effects; a record left so by a crash is undone.</summary>
    [Id(1)]
    public bool Accepted { get; set; }

    /// <summary>SHA-256 of the request, so that the same request again on the same id is recognised.</summary>
    [Id(2)]
    public string RequestHash { get; set; } = "";

    /// <summary>The user's certificate (public): what an existing destination manifest's signature is checked against.</summary>
    [Id(3)]
    public string CertificatePem { get; set; } = "";

    /// <summary>The manifest re-sealed for the destination region and re-signed, as a blob; written to the destination last.</summary>
    [Id(4)]
    public BlobInfo? ResealedManifest { get; set; }

    [Id(5)]
    public string ManifestContentType { get; set; } = "";

    /// <summary>Where the parts are in the source bucket: the manifest's folder (<c>""</c> or ending in <c>/</c>).</summary>
    [Id(6)]
    public string SourceFolder { get; set; } = "";

    /// <summary>Where the parts go in the destination bucket (<c>""</c> or ending in <c>/</c>).</summary>
    [Id(8)]
    public string DestinationFolder { get; set; } = "";

    /// <summary>CopyImage's image to register once the bundle is in place (null for a plain migration).</summary>
    [Id(9)]
    public MigrationImageRegistration? Registration { get; set; }

    /// <summary>True once a finished migration has let go of its blob, registry entry and reminder.</summary>
    [Id(7)]
    public bool TidiedUp { get; set; }
}
