export { Button } from "./Button";
export { TextField, SelectField, TextAreaField, Checkbox } from "./Field";
export { Badge, Avatar } from "./Badge";
export { Skeleton, SkeletonRows } from "./Skeleton";
export { Tooltip } from "./Tooltip";
export { Dialog } from "./Dialog";
export { Tabs } from "./Tabs";
export { Menu, type MenuEntry } from "./Menu";
export { ToastProvider, useToast } from "./Toast";
