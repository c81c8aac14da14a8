"""The resources of examples/config-driven (TypeScript, the spec in stack config), from Python: one KeyHierarchy "keys".

`pulumi package add ../../sdk/provider` generates the `pulumi_keyfabric` SDK from keyfabric's component package.
"""
import pulumi
import pulumi_keyfabric as keyfabric

keys = keyfabric.KeyHierarchy(
    "keys",
    name="shop",
    owner="platform",
    clouds=keyfabric.CloudsArgs(
        aws=keyfabric.AwsCloudArgs(region="eu-north-1", account_id="777788889999"),
        gcp=keyfabric.GcpCloudArgs(project="shop-keys-dev", location="europe-north1"),
    ),
    # Key use is recorded: the account's CloudTrail trail, and Cloud KMS Data Access logs in shop-keys-dev.
    audit=keyfabric.AuditArgs(
        aws=keyfabric.AwsAuditArgs(trail="external"),
        gcp=keyfabric.GcpAuditArgs(),
    ),
    # Every key in an HSM (the strict-hsm preset asks it of every key).
    defaults=keyfabric.DefaultsArgs(protection=keyfabric.Protection.HSM),
    domains=[
        keyfabric.DomainArgs(
            name="orders",
            classification=keyfabric.Classification.CONFIDENTIAL,
            admins=keyfabric.PrincipalsArgs(aws=["arn:aws:iam::777788889999:role/KeyAdmins"]),
            users=keyfabric.PrincipalsArgs(
                aws=["arn:aws:iam::777788889999:role/OrdersService"],
                gcp=["serviceAccount:orders@shop-keys-dev.iam.gserviceaccount.com"],
            ),
            keys=[
                keyfabric.KeyArgs(name="order-db", purpose=keyfabric.Purpose.ENCRYPT, algorithm=keyfabric.Algorithm.AES_256),
                keyfabric.KeyArgs(name="webhook-mac", purpose=keyfabric.Purpose.MAC, algorithm=keyfabric.Algorithm.HMAC_256),
            ],
        ),
    ],
)

pulumi.export("keys", keys.keys)
