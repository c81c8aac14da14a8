/**
 * AWS data sources the provider answers without calling AWS:
 *
 * - `aws:index/getPartition:getPartition`: terraform-provider-aws internal/service/meta/partition_data_source.go
 *   (`d.Meta().Partition/DNSSuffix/ReverseDNSPrefix`: the partition of the provider's region, found with
 *   aws-sdk-go-base/v2 `endpoints.PartitionForRegion` (a listed region, else the partition's region regex); the
 *   reverse prefix is the suffix's labels reversed (`dns.Reverse`); id = partition).
 * - `aws:index/getRegion:getRegion`: internal/service/meta/region_data_source.go (the `region`, else deprecated `name`,
 *   argument, else the provider's region, looked up among the partitions' listed regions; `endpoint` is the EC2
 *   endpoint host the SDK resolves, `ec2.<region>.<dns suffix>`; an `endpoint` argument selects the region by it).
 * - `aws:index/getArn:getArn`: internal/service/meta/arn_data_source.go (aws-sdk-go-v2 `arn.Parse`: "arn:" prefix,
 *   `strings.SplitN(arn, ":", 6)`; id = the ARN rebuilt from its sections, i.e. the input).
 *
 * The partition table is hashicorp/aws-sdk-go-base endpoints/endpoints_gen.go (regions with their descriptions).
 */
export interface AwsPartition {
    readonly id: string;
    readonly dnsSuffix: string;
    readonly regionRegex: RegExp;
    readonly regions: Readonly<Record<string, string>>; // region id -> description
}

export const AWS_PARTITIONS: readonly AwsPartition[] = [
    {
        id: "aws",
        dnsSuffix: "amazonaws.com",
        regionRegex: /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/,
        regions: {
            "af-south-1": "Africa (Cape Town)",
            "ap-east-1": "Asia Pacific (Hong Kong)",
            "ap-east-2": "Asia Pacific (Taipei)",
            "ap-northeast-1": "Asia Pacific (Tokyo)",
            "ap-northeast-2": "Asia Pacific (Seoul)",
            "ap-northeast-3": "Asia Pacific (Osaka)",
            "ap-south-1": "Asia Pacific (Mumbai)",
            "ap-south-2": "Asia Pacific (Hyderabad)",
            "ap-southeast-1": "Asia Pacific (Singapore)",
            "ap-southeast-2": "Asia Pacific (Sydney)",
            "ap-southeast-3": "Asia Pacific (Jakarta)",
            "ap-southeast-4": "Asia Pacific (Melbourne)",
            "ap-southeast-5": "Asia Pacific (Malaysia)",
            "ap-southeast-6": "Asia Pacific (New Zealand)",
            "ap-southeast-7": "Asia Pacific (Thailand)",
            "ca-central-1": "Canada (Central)",
            "ca-west-1": "Canada West (Calgary)",
            "eu-central-1": "Europe (Frankfurt)",
            "eu-central-2": "Europe (Zurich)",
            "eu-north-1": "Europe (Stockholm)",
            "eu-south-1": "Europe (Milan)",
            "eu-south-2": "Europe (Spain)",
            "eu-west-1": "Europe (Ireland)",
            "eu-west-2": "Europe (London)",
            "eu-west-3": "Europe (Paris)",
            "il-central-1": "Israel (Tel Aviv)",
            "me-central-1": "Middle East (UAE)",
            "me-south-1": "Middle East (Bahrain)",
            "mx-central-1": "Mexico (Central)",
            "sa-east-1": "South America (Sao Paulo)",
            "us-east-1": "US East (N. Virginia)",
            "us-east-2": "US East (Ohio)",
            "us-west-1": "US West (N. California)",
            "us-west-2": "US West (Oregon)",
        },
    },
    { id: "aws-cn", dnsSuffix: "amazonaws.com.cn", regionRegex: /^cn-\w+-\d+$/, regions: { "cn-north-1": "China (Beijing)", "cn-northwest-1": "China (Ningxia)" } },
    { id: "aws-eusc", dnsSuffix: "amazonaws.eu", regionRegex: /^eusc-(de)-\w+-\d+$/, regions: { "eusc-de-east-1": "AWS European Sovereign Cloud (Germany)" } },
    { id: "aws-iso", dnsSuffix: "c2s.ic.gov", regionRegex: /^us-iso-\w+-\d+$/, regions: { "us-iso-east-1": "US ISO East", "us-iso-west-1": "US ISO WEST" } },
    { id: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", regionRegex: /^us-isob-\w+-\d+$/, regions: { "us-isob-east-1": "US ISOB East (Ohio)", "us-isob-west-1": "US ISOB West" } },
    { id: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", regionRegex: /^eu-isoe-\w+-\d+$/, regions: { "eu-isoe-west-1": "EU ISOE West" } },
    { id: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", regionRegex: /^us-isof-\w+-\d+$/, regions: { "us-isof-east-1": "US ISOF EAST", "us-isof-south-1": "US ISOF SOUTH" } },
    { id: "aws-us-gov", dnsSuffix: "amazonaws.com", regionRegex: /^us-gov-\w+-\d+$/, regions: { "us-gov-east-1": "AWS GovCloud (US-East)", "us-gov-west-1": "AWS GovCloud (US-West)" } },
];

const STANDARD = AWS_PARTITIONS[0];

/** `endpoints.PartitionForRegion`; undefined when no partition claims the region. */
export function partitionForRegion(region: string): AwsPartition | undefined {
    return AWS_PARTITIONS.find((p) => Object.prototype.hasOwnProperty.call(p.regions, region) || p.regionRegex.test(region));
}

/** The partition the provider uses for `region` (the standard one when none claims it: `DNSSuffix()` falls back too). */
export function awsPartitionOf(region: string): AwsPartition {
    return partitionForRegion(region) ?? STANDARD;
}

/** `dns.Reverse` / `names.ReverseDNS`. */
export const reverseDns = (host: string): string => host.split(".").reverse().join(".");

export interface ProviderRegion {
    readonly region: string;
    /** Set when no `aws:region` is configured and the region had to be assumed. */
    readonly assumed: boolean;
}

export const DEFAULT_AWS_REGION = "us-east-1";

export function providerRegion(config: (key: string) => string | undefined): ProviderRegion {
    const region = config("aws:region");
    return region ? { region, assumed: false } : { region: DEFAULT_AWS_REGION, assumed: true };
}

export function getPartition(region: string): Record<string, unknown> {
    const p = awsPartitionOf(region);
    return { dnsSuffix: p.dnsSuffix, id: p.id, partition: p.id, reverseDnsPrefix: reverseDns(p.dnsSuffix) };
}

function findRegion(predicate: (id: string, p: AwsPartition) => boolean): { id: string; description: string; partition: AwsPartition } | undefined {
    for (const p of AWS_PARTITIONS) for (const [id, description] of Object.entries(p.regions)) if (predicate(id, p)) return { id, description, partition: p };
    return undefined;
}

const ec2Host = (id: string, p: AwsPartition): string => `ec2.${id}.${p.dnsSuffix}`;

export function getRegion(inputs: Record<string, unknown>, providerRegionName: string): Record<string, unknown> {
    const given = (k: string): string | undefined => (typeof inputs[k] === "string" ? (inputs[k] as string) : undefined);
    if (given("name") !== undefined && given("region") !== undefined)
        throw new Error('Invalid Attribute Combination: These attributes cannot be configured together: [name,region]');
    let found: ReturnType<typeof findRegion>;
    const endpoint = given("endpoint");
    if (endpoint !== undefined) {
        found = findRegion((id, p) => ec2Host(id, p) === endpoint);
        if (!found) throw new Error(`finding Region by endpoint (${endpoint}): couldn't find resource`);
    }
    const name = given("region") ?? given("name") ?? "";
    if (name !== "") {
        const byName = findRegion((id) => id === name);
        if (!byName) throw new Error(`finding Region by name (${name}): couldn't find resource`);
        if (found && found.id !== byName.id) throw new Error("multiple Regions matched: use additional constraints to reduce matches to a single Region");
        found = byName;
    }
    if (!found) {
        found = findRegion((id) => id === providerRegionName);
        if (!found) throw new Error(`finding Region by name (${providerRegionName}): couldn't find resource`);
    }
    return { description: found.description, endpoint: ec2Host(found.id, found.partition), id: found.id, name: found.id, region: found.id };
}

export interface ParsedArn {
    partition: string;
    service: string;
    region: string;
    account: string;
    resource: string;
}

/** aws-sdk-go-v2 `arn.Parse`. */
export function parseArn(arn: string): ParsedArn {
    if (!arn.startsWith("arn:")) throw new Error(`Error parsing '${arn}': arn: invalid prefix`);
    const sections: string[] = [];
    let rest = arn;
    for (let i = 0; i < 5; i++) {
        const at = rest.indexOf(":");
        if (at < 0) break;
        sections.push(rest.slice(0, at));
        rest = rest.slice(at + 1);
    }
    sections.push(rest);
    if (sections.length !== 6) throw new Error(`Error parsing '${arn}': arn: not enough sections`);
    return { partition: sections[1], service: sections[2], region: sections[3], account: sections[4], resource: sections[5] };
}

export function getArn(inputs: Record<string, unknown>): Record<string, unknown> {
    if (typeof inputs.arn !== "string") throw new Error("Missing required argument: arn");
    const a = parseArn(inputs.arn);
    return { account: a.account, arn: inputs.arn, id: `arn:${a.partition}:${a.service}:${a.region}:${a.account}:${a.resource}`, partition: a.partition, region: a.region, resource: a.resource, service: a.service };
}
