// --netns.labels-file as a mapping (parsers/labels-file.ts).

/** Extra netns_info labels, in file order. */
export type ExtraLabels = readonly (readonly [name: string, value: string])[];

/** Key (namespace name or id) -> labels, in file order. */
export type LabelsMapping = ReadonlyMap<string, ExtraLabels>;
