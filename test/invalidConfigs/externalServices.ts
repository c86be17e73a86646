/** Invalid configs: the external services (`externalServices`, one ServiceEntry each). */
import { Case, DEV } from "./shared";

const SERVICE = { name: "openai-external", hosts: ["api.openai.com"] };

export const EXTERNAL_SERVICE_CASES: readonly Case[] = [
    // external services
    { mistake: "one service instead of a list", raw: { ...DEV, externalServices: SERVICE }, first: 'externalServices: got {"name":"openai-external","hosts":["api.openai.com"]}; expected a list' },
    {
        mistake: "a service without hosts",
        raw: { ...DEV, externalServices: [{ name: "openai-external" }] },
        first: "externalServices[0].hosts: got nothing; a ServiceEntry needs at least one host name",
    },
    {
        mistake: "a host name that is not qualified",
        raw: { ...DEV, externalServices: [{ ...SERVICE, hosts: ["localhost"] }] },
        first: 'externalServices[0].hosts[0]: got "localhost"; expected a fully qualified host name such as api.openai.com',
    },
    {
        mistake: "two services of one name",
        raw: { ...DEV, externalServices: [SERVICE, { ...SERVICE, hosts: ["openai.com"] }] },
        first: 'externalServices[1].name: got "openai-external"; names must be unique',
    },
    {
        mistake: "a service name with spaces",
        raw: { ...DEV, externalServices: [{ ...SERVICE, name: "OpenAI API" }] },
        first: `externalServices[0].name: got "OpenAI API"; required: a DNS label (lower-case letters, digits and '-', at most 63 characters)`,
    },
    { mistake: "a port name for a port", raw: { ...DEV, externalServices: [{ ...SERVICE, port: "https" }] }, first: 'externalServices[0].port: got "https"; expected an integer from 1 to 65535' },
    { mistake: "a null service", raw: { ...DEV, externalServices: [null] }, first: "externalServices[0]: got null; expected an object" },
    {
        mistake: "a resolution setting",
        raw: { ...DEV, externalServices: [{ ...SERVICE, resolution: "NONE" }] },
        first: 'externalServices[0].resolution: got "NONE"; unknown key; allowed keys of externalServices[0]: name, hosts, port',
    },
];
