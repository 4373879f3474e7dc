import { Type } from 'typebox';

export const MappingSchema = Type.Object({
  id: Type.String(),
  specialityCode: Type.String(),
  hubId: Type.String(),
  hubName: Type.String(),
  rank: Type.Integer(),
  validFrom: Type.String({ format: 'date-time' }),
  validTo: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const MappingList = Type.Object({ items: Type.Array(MappingSchema) });

export const MappingParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  speciality: Type.String({ pattern: '^[a-z_]+$' }),
});

export const MappingBody = Type.Object(
  {
    hubIds: Type.Array(Type.String({ format: 'uuid' }), {
      maxItems: 20,
      description: 'hubs in order: first choice, then overflow',
    }),
  },
  { additionalProperties: false },
);

export const SpokeList = Type.Object({
  items: Type.Array(
    Type.Object({
      spokeId: Type.String(),
      spokeName: Type.String(),
      specialityCode: Type.String(),
      rank: Type.Integer(),
    }),
  ),
});
