namespace OrleansEc2.Grains.Migrations;

/// <summary>How migrations run, bound from the <c>Migrations</c> section of the configuration (all optional).</summary>
public sealed class MigrationOptions
{
    public const string SectionName = "Migrations";

    /// <summary>
    /// How long copying each part takes on the simulation clock (a server-side copy is metadata only, so it takes no
    /// time of its own). Zero by default; a demo, or a test that wants to catch a migration mid-copy, sets it.
    /// </summary>
    public TimeSpan PartCopyDelay { get; set; } = TimeSpan.Zero;
}
