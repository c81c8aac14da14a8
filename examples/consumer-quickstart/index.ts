import * as pulumi from "@pulumi/pulumi";
import { KeyHierarchy } from "keyfabric";

const config = new pulumi.Config("aws");
const hierarchy = new KeyHierarchy("shop", {
    name: "shop",
    owner: "platform-security",
    clouds: { aws: { region: config.get("region") ?? "eu-west-1", accountId: "111122223333" } },
    audit: { aws: { trail: "external" } },
    domains: [{
        name: "orders",
        classification: "confidential",
        admins: { aws: ["arn:aws:iam::111122223333:role/KeyAdmins"] },
        users: { aws: ["arn:aws:iam::111122223333:role/OrdersApp"] },
        keys: [
            { name: "order-db", purpose: "encrypt", algorithm: "AES_256" },
            { name: "webhook-signing", purpose: "sign", algorithm: "EC_P256" },
        ],
    }],
});
export const keys = hierarchy.keys;
