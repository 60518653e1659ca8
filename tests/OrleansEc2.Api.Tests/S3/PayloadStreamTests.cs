using System.IO.Hashing;
using System.Text;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.S3.Payload;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>The de-chunking, verifying body reader on its own, against AWS's published aws-chunked example and edge cases.</summary>
public sealed class PayloadStreamTests
{
    // AWS's "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks" example.
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string ExampleDate = "20130524T000000Z";
    private const string ExampleScope = "20130524/us-east-1/s3/aws4_request";
    private const string ExampleSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

    [Fact]
    public async Task AwsExample_SignedChunks_DecodeTo66560BytesOfA()
    {
        var signing = new ChunkSigningContext(SigV4.SigningKey(ExampleSecret, "20130524", "us-east-1", "s3"), ExampleDate, ExampleScope, ExampleSeed);
        var wire = new MemoryStream();
        wire.Write(Encoding.ASCII.GetBytes("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"));
        wire.Write(Enumerable.Repeat((byte)'a', 65536).ToArray());
        wire.Write(Encoding.ASCII.GetBytes("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"));
        wire.Write(Enumerable.Repeat((byte)'a', 1024).ToArray());
        wire.Write(Encoding.ASCII.GetBytes("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"));
        wire.Position = 0;
        await using var payload = new S3PayloadStream(wire, PayloadMode.StreamingSigned, new PayloadExpectations(66560, null, null, null, false), null, signing, long.MaxValue);

        var decoded = await ReadAllAsync(payload);

        decoded.Should().HaveCount(66560).And.OnlyContain(b => b == (byte)'a');
    }

    [Fact]
    public async Task AwsExample_OneChangedByte_FailsWithSignatureDoesNotMatchNamingTheChunk()
    {
        var signing = new ChunkSigningContext(SigV4.SigningKey(ExampleSecret, "20130524", "us-east-1", "s3"), ExampleDate, ExampleScope, ExampleSeed);
        var data = Enumerable.Repeat((byte)'a', 65536).ToArray();
        data[100] = (byte)'b';
        var wire = new MemoryStream();
        wire.Write(Encoding.ASCII.GetBytes("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"));
        wire.Write(data);
        wire.Write(Encoding.ASCII.GetBytes("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"));
        wire.Position = 0;
        await using var payload = new S3PayloadStream(wire, PayloadMode.StreamingSigned, new PayloadExpectations(null, null, null, null, false), null, signing, long.MaxValue);

        var act = () => ReadAllAsync(payload);

        var error = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        error.Code.Should().Be("SignatureDoesNotMatch");
        error.Message.Should().Contain("(chunk 1)");
    }

    [Fact]
    public async Task UnsignedTrailer_ReadInOneByteSteps_DecodesAndVerifiesTheCrc()
    {
        var body = Encoding.ASCII.GetBytes("Hello, aws-chunked world!");
        var crc = Crc(body);
        var wire = new MemoryStream(Encoding.ASCII.GetBytes($"5\r\nHello\r\n14\r\n, aws-chunked world!\r\n0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n"));
        await using var payload = new S3PayloadStream(
            new TrickleStream(wire),
            PayloadMode.StreamingUnsignedTrailer,
            new PayloadExpectations(body.Length, null, S3ChecksumAlgorithm.Crc32, null, true),
            null,
            null,
            long.MaxValue);

        var decoded = await ReadAllAsync(payload);

        decoded.Should().Equal(body);
        payload.VerifiedChecksum.Should().Be(new ObjectChecksum("CRC32", crc));
    }

    [Fact]
    public async Task UnsignedTrailer_EmptyLineBeforeTheTrailer_IsTolerated()
    {
        var body = Encoding.ASCII.GetBytes("abc");
        var wire = new MemoryStream(Encoding.ASCII.GetBytes($"3\r\nabc\r\n0\r\n\r\nx-amz-checksum-crc32:{Crc(body)}\r\n\r\n"));
        await using var payload = new S3PayloadStream(wire, PayloadMode.StreamingUnsignedTrailer, new PayloadExpectations(3, null, S3ChecksumAlgorithm.Crc32, null, true), null, null, long.MaxValue);

        (await ReadAllAsync(payload)).Should().Equal(body);
    }

    [Theory]
    [InlineData("3\r\nabc\r\n", "IncompleteBody")]
    [InlineData("3\r\nab", "IncompleteBody")]
    [InlineData("3\r\nabcd\r\n0\r\n\r\n", "InvalidRequest")]
    [InlineData("g\r\nabc\r\n0\r\n\r\n", "InvalidRequest")]
    [InlineData("3\r\nabc\r\n0\r\n\r\nno end of line", "IncompleteBody")]
    [InlineData("3\r\nabc\r\n0\r\nx-amz-meta-a:b\r\n\r\njunk after the end", "InvalidRequest")]
    [InlineData("3\r\nabc\r\n0\r\nno colon here\r\n\r\n", "MalformedTrailerError")]
    [InlineData("", "IncompleteBody")]
    public async Task MalformedOrTruncatedChunks_FailWithS3sCodes(string wire, string code)
    {
        await using var payload = new S3PayloadStream(
            new MemoryStream(Encoding.ASCII.GetBytes(wire)),
            PayloadMode.StreamingUnsignedTrailer,
            new PayloadExpectations(null, null, null, null, false),
            null,
            null,
            long.MaxValue);

        var act = () => ReadAllAsync(payload);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(code);
    }

    [Fact]
    public async Task HeaderLineLongerThanAllowed_FailsWithoutReadingItAll()
    {
        var wire = new MemoryStream(Encoding.ASCII.GetBytes("3;" + new string('x', 100_000) + "\r\nabc\r\n0\r\n\r\n"));
        await using var payload = new S3PayloadStream(wire, PayloadMode.StreamingUnsignedTrailer, new PayloadExpectations(null, null, null, null, false), null, null, long.MaxValue);

        var act = () => ReadAllAsync(payload);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be("InvalidRequest");
        wire.Position.Should().BeLessThan(100_000);
    }

    [Fact]
    public async Task PlainBody_PastTheMaximum_FailsWithEntityTooLarge()
    {
        await using var payload = new S3PayloadStream(new MemoryStream(new byte[2000]), PayloadMode.Unsigned, new PayloadExpectations(null, null, null, null, false), null, null, maxLength: 1000);

        var act = () => ReadAllAsync(payload);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be("EntityTooLarge");
    }

    [Fact]
    public async Task PlainBody_SignedHashOfOtherBytes_FailsAtTheEndWithXAmzContentSha256Mismatch()
    {
        await using var payload = new S3PayloadStream(new MemoryStream([1, 2, 3]), PayloadMode.Sha256, new PayloadExpectations(3, null, null, null, false), SigV4.HexSha256([1, 2, 4]), null, long.MaxValue);

        var act = () => ReadAllAsync(payload);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be("XAmzContentSHA256Mismatch");
    }

    [Fact]
    public void CrcCombination_OfParts_EqualsTheCrcOfTheWhole()
    {
        var random = new Random(7);
        var a = new byte[100_003];
        var b = new byte[65_537];
        var c = new byte[1];
        random.NextBytes(a);
        random.NextBytes(b);
        random.NextBytes(c);
        byte[] whole = [.. a, .. b, .. c];

        foreach (var algorithm in new[] { S3ChecksumAlgorithm.Crc32, S3ChecksumAlgorithm.Crc32C, S3ChecksumAlgorithm.Crc64Nvme })
        {
            var combined = CrcCombination.For(algorithm)!.CombineBase64([(algorithm.Compute(a), a.Length), (algorithm.Compute(b), b.Length), (algorithm.Compute(c), c.Length)]);

            combined.Should().Be(algorithm.Compute(whole), algorithm.Name);
        }
    }

    [Fact]
    public void ChecksumAlgorithms_MatchTheirStandardCheckValues()
    {
        var check = "123456789"u8.ToArray();

        Convert.FromBase64String(S3ChecksumAlgorithm.Crc32.Compute(check)).Should().Equal(0xCB, 0xF4, 0x39, 0x26);
        Convert.FromBase64String(S3ChecksumAlgorithm.Crc32C.Compute(check)).Should().Equal(0xE3, 0x06, 0x92, 0x83);
        Convert.FromBase64String(S3ChecksumAlgorithm.Crc64Nvme.Compute(check)).Should().Equal(0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88);
    }

    private static string Crc(byte[] data)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, Crc32.HashToUInt32(data));
        return Convert.ToBase64String(bytes);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        var output = new MemoryStream();
        var buffer = new byte[7000];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    /// <summary>Hands out one byte per read, as a slow network might.</summary>
    private sealed class TrickleStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
