/** The modules beyond Debian's `kamailio` package that deploy/kamailio/kamailio.cfg loads. */
export const EXTRA_MODULES: string[];
/** The path of a `kamailio` executable, or undefined. */
export function findKamailio(): string | undefined;
/** The module directory holding the modules the configuration loads, or undefined. */
export function findKamailioModules(bin?: string): string | undefined;
