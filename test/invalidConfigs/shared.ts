/** What every table of invalid configs (./index.ts) shares: the shape of a case, and the valid configs each case breaks one thing of. */
import { RawConfig } from "../../config";
import { stackRawConfig } from "../stackFiles";

export interface Case {
    /** The mistake, as a sentence fragment. */
    readonly mistake: string;
    readonly raw: RawConfig;
    /** The exact first problem line. */
    readonly first: string;
}

export const DEV: RawConfig = { environment: "dev", kiali: { authStrategy: "anonymous" } };
/** The production stack file with its signing key set: valid as it is. */
export const PROD: RawConfig = { ...stackRawConfig("production"), kiali: { ...(stackRawConfig("production").kiali as object), signingKey: "0123456789abcdef" } };
