// Placeholder until the CLI work lands.
Console.WriteLine("ec2sim");
