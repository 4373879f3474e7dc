import { Type } from 'typebox';

export const DailyCountsQuery = Type.Object(
  {
    /** First local day (the state's time zone); default: 29 days before `to`. */
    from: Type.Optional(Type.String({ format: 'date' })),
    /** Last local day, included; default: today in the state. */
    to: Type.Optional(Type.String({ format: 'date' })),
  },
  { additionalProperties: false },
);

const Counts = Type.Object({
  started: Type.Integer(),
  completed: Type.Integer(),
  notHappened: Type.Integer(),
});

export const DailyCountsSchema = Type.Object({
  stateId: Type.String(),
  timeZone: Type.String(),
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  /** Every day of the range, oldest first, zeros included: a chart needs no gaps filled. */
  days: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date' }),
      opd: Counts,
      hubSpoke: Counts,
    }),
  ),
  totals: Type.Object({ opd: Counts, hubSpoke: Counts }),
});
