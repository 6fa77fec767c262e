/** `mongoutil.FindPage`: skip (page - 1) * size, limit size; nothing outside the range. */
export const page = <T>(items: readonly T[], pageNumber: number, showNumber: number): T[] => {
  const skip = (pageNumber - 1) * showNumber;
  if (skip < 0 || skip >= items.length || showNumber <= 0) return [];
  return items.slice(skip, skip + showNumber);
};
