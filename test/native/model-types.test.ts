// The native parsers and the text parsers must produce the same model: until the declarations are
// unified, this fails type-checking (npm test runs tsc) when one side changes shape, and at run time
// when a field is added on one side only.

import { expectTypeOf, test } from 'vitest';
import type * as TextLinks from '../../src/parsers/ip-link-json.js';
import type * as TextIptables from '../../src/parsers/iptables-save.js';
import type * as NativeIptables from '../../src/parsers/netlink/iptables-model.js';
import type * as NativeLinks from '../../src/parsers/netlink/link-record.js';

test('LinkRecord is the same type on both paths', () => {
  expectTypeOf<NativeLinks.LinkRecord>().toEqualTypeOf<TextLinks.LinkRecord>();
});

test('the iptables model is the same type on both paths', () => {
  expectTypeOf<NativeIptables.IptablesRule>().toEqualTypeOf<TextIptables.IptablesRule>();
  expectTypeOf<NativeIptables.IptablesChain>().toEqualTypeOf<TextIptables.IptablesChain>();
  expectTypeOf<NativeIptables.IptablesTable>().toEqualTypeOf<TextIptables.IptablesTable>();
});
