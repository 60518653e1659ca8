namespace OrleansEc2.Bundling;

/// <summary>Writes parts as files in a directory (what <c>ec2-bundle-image -d</c> does).</summary>
public sealed class DirectoryPartSink(string directory) : IPartSink
{
    public string Directory { get; } = directory;

    public async Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Directory, part.FileName);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
        await file.WriteAsync(content, cancellationToken);
    }
}

/// <summary>Reads parts from files in a directory (what <c>ec2-unbundle -s</c> does).</summary>
public sealed class DirectoryPartSource(string directory) : IPartSource
{
    public string Directory { get; } = directory;

    public Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
    {
        if (!PartNames.IsPlainFileName(fileName))
        {
            throw new BundleException(BundleError.InvalidManifest, $"The part name '{fileName}' is not a plain file name.") { PartFileName = fileName };
        }

        var path = Path.Combine(Directory, fileName);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BundleException(BundleError.PartMissing, $"Part {fileName} is missing: {path} does not exist.", e) { PartFileName = fileName };
        }
    }
}
